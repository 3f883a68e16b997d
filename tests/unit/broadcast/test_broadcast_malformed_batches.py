"""A malformed broadcast batch on the queue: failed for SQS to retry and dead-letter, logged by id and
field names only, counted."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch import process_partial_response

from civicline.adapters.sqs.broadcast_batches import BroadcastBatchRecord
from civicline.services.malformed_records import ValidatingSqsBatchProcessor

RESIDENT = "U" + "a" * 32


class RecordingLogger:
    def __init__(self) -> None:
        self.errors: list[tuple[str, dict[str, Any]]] = []

    def error(self, message: str, extra: dict[str, Any]) -> None:
        self.errors.append((message, extra))


class RecordingMetrics:
    def __init__(self) -> None:
        self.counted: dict[str, float] = {}

    def add_metric(self, name: str, unit: Any, value: float) -> None:
        self.counted[name] = self.counted.get(name, 0) + value


def record(message_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": "r",
        "body": json.dumps(body),
        "attributes": {
            "ApproximateReceiveCount": "1",
            "ApproximateFirstReceiveTimestamp": "1790000000000",
            "SenderId": "AIDA",
            "SentTimestamp": "1790000000000",
        },
        "messageAttributes": {},
        "md5OfBody": "0",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-northeast-1:123456789012:broadcast-batches",
        "awsRegion": "ap-northeast-1",
    }


def test_a_malformed_batch_fails_alone_and_is_logged_by_id_and_field_names_only() -> None:
    # Given one good batch and one whose recipients are not LINE ids (one of them personal data)
    logger, metrics = RecordingLogger(), RecordingMetrics()
    processor = ValidatingSqsBatchProcessor(BroadcastBatchRecord, logger, metrics)  # type: ignore[arg-type]
    good = record("m-good", {"broadcastId": "b1", "batchNumber": 0, "userIds": [RESIDENT]})
    bad = record("m-bad", {"broadcastId": "b1", "batchNumber": 1, "userIds": ["山田花子 090-1234-5678"]})
    handled: list[int] = []

    # When the sender's batch processor takes them
    answer = process_partial_response(
        event={"Records": [good, bad]},
        record_handler=lambda record: handled.append(record.body.batch_number),
        processor=processor,
    )

    # Then only the malformed one is a batch item failure (SQS retries it, then the DLQ keeps it)
    assert answer["batchItemFailures"] == [{"itemIdentifier": "m-bad"}]
    assert handled == [0]
    # And it is logged with its message id and the invalid field's name, never the value
    [(_, extra)] = logger.errors
    assert extra == {"message_id": "m-bad", "invalid_fields": ["body.userIds.0"]}
    assert "山田" not in json.dumps(logger.errors, ensure_ascii=False)
    # And counted
    assert metrics.counted == {"MalformedRecords": 1}


def test_a_malformed_batchs_personal_data_reaches_no_log_even_when_debugging(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a batch whose recipients hold a resident's name and phone, and every log at debug level
    # (as POWERTOOLS_DEBUG sets it: Powertools then logs each failure's text)
    caplog.set_level(logging.DEBUG)
    processor = ValidatingSqsBatchProcessor(
        BroadcastBatchRecord,
        RecordingLogger(),  # type: ignore[arg-type]
        RecordingMetrics(),  # type: ignore[arg-type]
    )
    bad = record("m-bad", {"broadcastId": "b1", "batchNumber": 1, "userIds": ["山田花子 090-1234-5678"]})

    # When the sender's batch processor fails it
    answer = process_partial_response(
        event={"Records": [bad]}, record_handler=lambda record: None, processor=processor
    )

    # Then it is still a batch item failure for SQS to retry
    assert answer["batchItemFailures"] == [{"itemIdentifier": "m-bad"}]
    # And neither the logs nor the failure the processor keeps quote the body: the model and field only
    assert "Record processing exception" in caplog.text
    assert "山田" not in caplog.text
    assert "090" not in caplog.text
    [(_, kept, traceback)] = processor.exceptions
    assert str(kept) == "BroadcastBatchRecord: invalid body.userIds.0"
    assert traceback is None
