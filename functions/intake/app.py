"""Intake: completed forms from the applications queue → stored once, PII sealed, resident notified.

The composition root: the service is built once per container from explicit adapters. Why storing runs
under idempotency and the notice is pushed after it: civicline.services.intake. Malformed records go
to the dead-letter queue: civicline.services.malformed_records.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.sqs.submission_record import SubmissionRecord
from civicline.models.environment import IntakeEnvironment
from civicline.services import intake, tracing
from civicline.services.malformed_records import ValidatingSqsBatchProcessor

logger = Logger()
tracer = tracing.tracer()  # botocore only; what reaches X-Ray: civicline.services.tracing
metrics = Metrics()
processor = ValidatingSqsBatchProcessor(SubmissionRecord, logger, metrics)
service = intake.build(IntakeEnvironment.from_environ(), dynamodb_resource(), logger, metrics)


@tracer.capture_method(capture_response=False, capture_error=False)
@tracing.ids_only(logger)
def record_handler(record: SubmissionRecord) -> None:
    service.handle_record(record)


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    service.idempotency_config.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
