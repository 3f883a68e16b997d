"""Intake: completed forms from the applications queue → stored once, PII sealed, resident notified.

Each SQS record is one `Application` or `SurveyResponse` (civicline.adapters.sqs.applications_queue).

Once-only, decided: storing runs under Powertools idempotency keyed on the submission id, and the
notice is pushed *after* it, outside, with a retry key derived from the same id. So:
- the same message delivered twice → the second run reads the first's outcome, pushes again, and LINE
  answers 409 to the repeated key: one item, one card;
- a push that fails (429/5xx/timeout) fails the record only: SQS retries it, the idempotency record
  answers the store's part, the push is tried again with the same key;
- a crash between store and idempotency record (the record stays "in progress" until this invocation's
  timeout) → the retry stores again, and the store finds the application under its id: no second item,
  no second reception number.
A malformed message fails its record on every try, so it ends in the dead-letter queue and its alarm.
Surveys need no notice: their put is conditional on the response id, which is idempotent by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer

from civicline.adapters.dynamodb.applications import DynamoApplications
from civicline.adapters.line.confirmation import ConfirmationSender, NoticeDelivery
from civicline.adapters.pii import PiiCipher
from civicline.adapters.sqs.applications_queue import parse_submission
from civicline.domain.applications.confirmation import notice_for
from civicline.domain.applications.errors import MalformedSubmission
from civicline.domain.applications.intake import Intake
from civicline.domain.applications.records import IntakeOutcome
from civicline.domain.applications.surveys import record_survey
from civicline.domain.errors import CivicLineError, LineUnavailable
from civicline.models.environment import IntakeEnvironment, environment
from civicline.models.forms import Application, SurveyResponse


class IntakeService:
    """One function instance's wiring: built on first use (cold start), kept for the sandbox's life."""

    def __init__(self, logger: Logger, metrics: Metrics) -> None:
        self._logger = logger
        self._metrics = metrics
        self.idempotency_config = IdempotencyConfig(
            event_key_jmespath="submission_id",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=24 * 60 * 60,  # as long as LINE remembers a retry key
        )
        self.applications = cache(
            lambda: DynamoApplications(environment(IntakeEnvironment).applications_table)
        )
        self.intake = cache(
            lambda: Intake(self.applications(), PiiCipher(environment(IntakeEnvironment).pii_key_arn))
        )
        self.sender = cache(ConfirmationSender)
        self.idempotent_store = cache(self._idempotent_store)

    def store_application(self, application: Application) -> IntakeOutcome:
        """Validated (the model), then stored or refused. Its result (ids only) is the idempotency record."""
        return self.intake().receive(application)

    def _idempotent_store(self) -> Callable[..., IntakeOutcome]:
        store = DynamoDBPersistenceLayer(table_name=environment(IntakeEnvironment).idempotency_table)
        stored: Callable[..., IntakeOutcome] = idempotent_function(
            data_keyword_argument="application",
            persistence_store=store,
            config=self.idempotency_config,
            output_serializer=PydanticSerializer(model=IntakeOutcome),
            # Named, not derived from the code's module path, so moving code never resets the records.
            key_prefix="civicline-intake-submission",
        )(self.store_application)
        return stored

    def handle_record(self, record: SQSRecord) -> None:
        """One SQS record: a survey or an application, or an error that fails the record (SQS retries)."""
        try:
            submission = parse_submission(record.body)
        except MalformedSubmission as malformed:
            self._logger.error(
                "malformed submission", extra={"message_id": record.message_id, "reason": str(malformed)}
            )
            self._metrics.add_metric(name="MalformedSubmissions", unit=MetricUnit.Count, value=1)
            raise
        try:
            if isinstance(submission, SurveyResponse):
                self._survey(submission)
            else:
                self._application(submission)
        except LineUnavailable:
            raise  # logged where it happened, with the submission's ids
        except Exception as error:
            # Domain errors carry ids only; anything else is logged by type, its message may quote input.
            reason = str(error) if isinstance(error, CivicLineError) else type(error).__name__
            self._logger.warning(
                "record failed; SQS will retry it", extra={"message_id": record.message_id, "reason": reason}
            )
            raise

    def _survey(self, response: SurveyResponse) -> None:
        stored = record_survey(self.applications(), response)
        ids = {"response_id": response.response_id, "form_id": response.form_id, "stored": stored}
        self._logger.info("survey recorded", extra=ids)
        name = "SurveysRecorded" if stored else "SurveysRepeated"
        self._metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)

    def _application(self, application: Application) -> None:
        ids = {
            "submission_id": application.submission_id,
            "form_id": application.form_id,
            "kind": application.kind,
        }
        outcome: IntakeOutcome = self.idempotent_store()(application=application)
        ids |= {"result": outcome.result, "reception_number": outcome.reception_number}
        # Counts handlings: a redelivered message counts again (its outcome is the remembered one).
        self._metrics.add_metric(name=f"Intake_{outcome.result}", unit=MetricUnit.Count, value=1)
        try:
            notice = notice_for(application, outcome)
            delivery = self.sender().push(application.user_id, application.submission_id, notice)
        except LineUnavailable as error:
            # Stored already (and remembered): the retry of this record only pushes again, same retry key.
            self._logger.warning(
                "notice not pushed yet; record will be retried", extra={**ids, "reason": str(error)}
            )
            self._metrics.add_metric(name="NoticesDeferred", unit=MetricUnit.Count, value=1)
            raise
        if delivery is NoticeDelivery.REJECTED:
            self._logger.warning(
                "LINE refused the notice; application kept", extra={**ids, "delivery": delivery.value}
            )
        else:
            self._logger.info("application handled", extra={**ids, "delivery": delivery.value})
        self._metrics.add_metric(name=f"Notice_{delivery.value}", unit=MetricUnit.Count, value=1)
