"""The one policy for malformed SQS messages (docs/contracts.md, "Malformed SQS messages"), in code.

A record whose body is not what our own producer sends cannot pass on a retry, but it is a bug worth
keeping: it is reported as a batch item failure, so SQS moves it to the queue's DLQ after
maxReceiveCount (and the DLQ's alarm tells someone); it is logged with its message id and the names of
the invalid fields only, never the body (it holds a resident's answers); it is counted in the
`MalformedRecords` metric.

`ValidatedBatchProcessor` is Powertools' `BatchProcessor(model=...)`: the body is validated before the
record handler runs, so the handler only ever sees well-formed records.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import ValidationError

from civicline.models.validation import invalid_fields

MALFORMED_METRIC = "MalformedRecords"


class MalformedRecord(Exception):
    """A record's body failed its model (field paths only: the record stays failed for the DLQ)."""


class ValidatedBatchProcessor(BatchProcessor):
    """SQS batches validated against `model`, malformed records handled by the policy above."""

    def __init__(self, model: type[SqsRecordModel], logger: Logger, metrics: Metrics) -> None:
        # Failed records are always reported as such, never as a failed invocation, so SQS retries
        # exactly them and the logs hold our own id-only lines rather than a traceback of every failure.
        super().__init__(event_type=EventType.SQS, model=model, raise_on_entire_batch_failure=False)
        self._logger = logger
        self._metrics = metrics

    def failure_handler(self, record: Any, exception: Any) -> Any:
        error = exception[1]
        model_name = getattr(self.model, "__name__", None)
        if isinstance(error, ValidationError) and error.title == model_name:
            fields = invalid_fields(error)
            self._logger.error(
                "malformed record; it goes to the dead-letter queue",
                extra={"message_id": record.message_id, "invalid_fields": fields},
            )
            self._metrics.add_metric(name=MALFORMED_METRIC, unit=MetricUnit.Count, value=1)
            # Powertools keeps (and at debug level logs) the exception's text, which quotes the body.
            sanitised = MalformedRecord(f"malformed record {record.message_id}; fields: {fields}")
            exception = (MalformedRecord, sanitised, None)
        return super().failure_handler(record, exception)
