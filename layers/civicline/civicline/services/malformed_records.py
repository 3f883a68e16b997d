"""The malformed-message policy (docs/contracts.md, "Malformed messages") for a Powertools batch.

A record whose body fails the queue's model is reported as a batch item failure, so SQS retries it
and, after the queue's maxReceiveCount, moves it to the dead-letter queue (alarmed), where staff can
look at it: nothing is dropped silently. It is logged with its message id and the names of the
invalid fields only (never values: a body can hold personal data), and counted in `MalformedRecords`.
The ValidationError itself (whose text quotes the body) is replaced before Powertools keeps or logs
it (its debug log prints the failure's text): what it keeps names the model and the fields only.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, SqsFifoPartialProcessor
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import ValidationError

from civicline.domain.errors import CivicLineError
from civicline.models.validation import invalid_fields

ExceptionInfo = tuple[type[BaseException] | None, BaseException | None, TracebackType | None]


def report_malformed(logger: Logger, metrics: Metrics, message_id: str, fields: list[str]) -> None:
    """Log a malformed record by its message id and the invalid field names, and count it."""
    logger.error("malformed record", extra={"message_id": message_id, "invalid_fields": fields})
    metrics.add_metric(name="MalformedRecords", unit=MetricUnit.Count, value=1)


class MalformedRecord(CivicLineError):
    """What a failed record keeps of a ValidationError: the model's name and the invalid fields."""


def without_values(error: ValidationError) -> ExceptionInfo:
    """The failure as Powertools may keep and log it: no input value, no traceback (whose frames hold it)."""
    stripped = MalformedRecord(f"{error.title}: invalid {', '.join(invalid_fields(error))}")
    return (MalformedRecord, stripped, None)


class _MalformedPolicy(BatchProcessor):
    """Reports a record that fails the processor's model under the policy, then fails it as usual."""

    _logger: Logger
    _metrics: Metrics

    def _report_to(self, logger: Logger, metrics: Metrics) -> None:
        # Failed records are always reported as such, never as a failed invocation, so SQS retries
        # exactly them and the logs hold our id-only lines.
        self.raise_on_entire_batch_failure = False
        self._logger = logger
        self._metrics = metrics

    def failure_handler(self, record: Any, exception: ExceptionInfo) -> Any:
        error = exception[1]
        if not isinstance(error, ValidationError):
            return super().failure_handler(record, exception)
        if error.title == getattr(self.model, "__name__", None):
            report_malformed(self._logger, self._metrics, record.message_id, invalid_fields(error))
        return super().failure_handler(record, without_values(error))


class ValidatingSqsBatchProcessor(_MalformedPolicy):
    """`BatchProcessor(model=...)` over SQS, applying the malformed-message policy."""

    def __init__(self, model: type[SqsRecordModel], logger: Logger, metrics: Metrics) -> None:
        super().__init__(event_type=EventType.SQS, model=model)
        self._report_to(logger, metrics)


class ValidatingSqsFifoProcessor(_MalformedPolicy, SqsFifoPartialProcessor):
    """`SqsFifoPartialProcessor(model=...)`, applying the malformed-message policy.

    `skip_group_on_error` holds back the rest of a failed record's message group in the batch; on the
    queue, a failed record holds back its group until it is deleted or moved to the DLQ.
    """

    def __init__(
        self, model: type[SqsRecordModel], logger: Logger, metrics: Metrics, *, skip_group_on_error: bool
    ) -> None:
        SqsFifoPartialProcessor.__init__(self, model=model, skip_group_on_error=skip_group_on_error)
        self._report_to(logger, metrics)
