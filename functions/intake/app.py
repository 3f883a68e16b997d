"""Intake: completed forms from the applications queue → stored once, PII sealed, resident notified.

Why storing runs under idempotency and the notice is pushed after it: civicline.services.intake.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.services.intake import IntakeService

logger = Logger()
tracer = Tracer()
metrics = Metrics()
# Failed records are always reported as such, never as a failed invocation, so SQS retries exactly them
# and the logs hold our own id-only lines rather than a traceback of every failure.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
service = IntakeService(logger, metrics)
idempotency_config = service.idempotency_config
store_application, idempotent_store = service.store_application, service.idempotent_store


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord) -> None:
    service.handle_record(record)


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    idempotency_config.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
