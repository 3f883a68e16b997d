"""Broadcast sender (SQS broadcast-batches, BatchSize 1): one multicast per batch, counted once.

The composition root of BroadcastSenderFunction: its service is built once, here, at cold start.
Records are validated by the BatchProcessor's model; a malformed one follows the malformed-message
policy (civicline.services.malformed_records).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.dynamodb.wire_client import dynamodb_client
from civicline.adapters.line.client import LineApi
from civicline.adapters.sqs.broadcast_batches import BroadcastBatchRecord
from civicline.models.environment import BroadcastSenderEnvironment
from civicline.services.broadcast_sender import build_sender
from civicline.services.malformed_records import ValidatingSqsBatchProcessor

logger = Logger()
metrics = Metrics()
processor = ValidatingSqsBatchProcessor(BroadcastBatchRecord, logger, metrics)
env = BroadcastSenderEnvironment.from_environ()
line = LineApi(env)
sender = build_sender(
    logger,
    metrics,
    env,
    dynamodb=dynamodb_resource(),
    dynamodb_wire=dynamodb_client(),
    line=line.messaging_api,
)


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    def seconds_left() -> float:
        return float(context.get_remaining_time_in_millis()) / 1000

    return process_partial_response(
        event=event,
        record_handler=lambda record: sender.send_record(record, seconds_left),
        processor=processor,
        context=context,
    )
