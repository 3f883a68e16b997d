"""Conversation worker: LINE events from events.fifo, answered one at a time per resident.

Why FIFO, `skip_group_on_error` and idempotency on webhookEventId: civicline.services.conversation.
Records are validated by the processor's model; a malformed one follows the malformed-message policy
(civicline.services.malformed_records).
The services are built here once, at cold start (civicline.services.conversation_root).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.line.client import messaging_api
from civicline.adapters.sqs.client import sqs_client
from civicline.models.environment import ConversationEnvironment
from civicline.models.events_queue import EventsQueueRecord
from civicline.services import tracing
from civicline.services.conversation_root import conversation_worker
from civicline.services.malformed_records import ValidatingSqsFifoProcessor

logger = Logger()
tracer = tracing.tracer()  # botocore only; what reaches X-Ray: civicline.services.tracing
metrics = Metrics()
processor = ValidatingSqsFifoProcessor(EventsQueueRecord, logger, metrics, skip_group_on_error=True)
worker = conversation_worker(
    ConversationEnvironment.from_environ(),
    dynamodb=dynamodb_resource(),
    sqs=sqs_client(),
    line_api=messaging_api,
    logger=logger,
    metrics=metrics,
)


@tracer.capture_method(capture_response=False, capture_error=False)
@tracing.ids_only(logger)
def record_handler(record: EventsQueueRecord) -> None:
    worker.handle_record(record)


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    worker.idempotency_config.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
