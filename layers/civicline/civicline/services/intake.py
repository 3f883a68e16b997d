"""Intake: completed forms from the applications queue → stored once, PII sealed, resident notified.

Each SQS record is one `Application` or `SurveyResponse`, validated before it reaches `handle_record`
(`SubmissionRecord` through `ValidatingSqsBatchProcessor`: a malformed body goes to the dead-letter
queue, see civicline.services.malformed_records). The service is built once per container by `build`.

Once-only, decided: storing runs under Powertools idempotency keyed on the submission id, and the
notice is pushed *after* it, outside, with a retry key derived from the same id. So:
- the same message delivered twice → the second run reads the first's outcome, pushes again, and LINE
  answers 409 to the repeated key: one item, one card;
- a push that fails (429/5xx/timeout) fails the record only: SQS retries it, the idempotency record
  answers the store's part, the push is tried again with the same key;
- a crash between store and idempotency record (the record stays "in progress" until this invocation's
  timeout) → the retry stores again, and the store finds the application under its id: no second item,
  no second reception number.
Surveys need no notice: their put is conditional on the response id, which is idempotent by itself.
Their typed answers are sealed like applicants' (civicline.domain.applications.surveys).

Metrics (per handling): ApplicationsStored / ApplicationsRefused (the store ran), ApplicationsRepeated
(the idempotency record answered: a duplicate delivery), SurveysRecorded / SurveysRepeated,
NoticesPushed / NoticesAlreadyPushed (LINE's 409) / NoticesRejected / NoticesDeferred, and the policy's
MalformedRecords.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer

from civicline.adapters.dynamodb.applications import DynamoApplications
from civicline.adapters.line.confirmation import ConfirmationSender, NoticeDelivery
from civicline.adapters.pii import PiiSealer
from civicline.adapters.sqs.submission_record import SubmissionRecord
from civicline.domain.applications.confirmation import notice_for
from civicline.domain.applications.errors import PiiError
from civicline.domain.applications.intake import Intake
from civicline.domain.applications.records import IntakeOutcome
from civicline.domain.applications.surveys import SurveyIntake
from civicline.domain.errors import CivicLineError, LineUnavailable
from civicline.models.environment import IntakeEnvironment
from civicline.models.forms import Application, SurveyResponse

IDEMPOTENCY_KEY_PREFIX = "civicline-intake-submission"  # named: moving code never resets the records
_STORE_RESULT_METRICS = {"stored": "ApplicationsStored", "refused_pending": "ApplicationsRefused"}
_NOTICE_METRICS = {
    NoticeDelivery.PUSHED: "NoticesPushed",
    NoticeDelivery.ALREADY_PUSHED: "NoticesAlreadyPushed",
    NoticeDelivery.REJECTED: "NoticesRejected",
}
# Set by the store when it runs: after the idempotent call, False means the idempotency record answered.
_store_ran: ContextVar[bool] = ContextVar("intake_store_ran", default=False)


def _count(metrics: Metrics, name: str) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


class IntakeService:
    """Intake over explicit adapters; `store_once` is `store_application` under idempotency."""

    def __init__(
        self,
        *,
        applications: DynamoApplications,
        sealer: PiiSealer,
        sender: ConfirmationSender,
        idempotency_store: DynamoDBPersistenceLayer,
        logger: Logger,
        metrics: Metrics,
        retention_ceiling: timedelta,
        survey_retention: timedelta,
    ) -> None:
        self._intake = Intake(applications, sealer, retention_ceiling)
        self._surveys = SurveyIntake(applications, sealer, survey_retention)
        self._sender = sender
        self._logger = logger
        self._metrics = metrics
        self.idempotency_config = IdempotencyConfig(
            event_key_jmespath="submission_id",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=24 * 60 * 60,  # as long as LINE remembers a retry key
        )
        self.store_once: Callable[..., IntakeOutcome] = idempotent_function(
            data_keyword_argument="application",
            persistence_store=idempotency_store,
            config=self.idempotency_config,
            output_serializer=PydanticSerializer(model=IntakeOutcome),
            key_prefix=IDEMPOTENCY_KEY_PREFIX,
        )(self.store_application)

    def store_application(self, application: Application) -> IntakeOutcome:
        """Validated (the model), then stored or refused. Its result (ids only) is the idempotency record."""
        outcome = self._intake.receive(application)
        _store_ran.set(True)
        _count(self._metrics, _STORE_RESULT_METRICS[outcome.result])
        return outcome

    def handle_record(self, record: SubmissionRecord) -> None:
        """One well-formed SQS record: a survey or an application, or an error that fails the record."""
        try:
            if isinstance(record.body, SurveyResponse):
                self._survey(record.body)
            else:
                self._application(record.body)
        except LineUnavailable:
            raise  # logged where it happened, with the submission's ids
        except Exception as error:
            if isinstance(error, PiiError):
                _count(self._metrics, "KmsErrors")  # the PII key refused or could not be reached
            # Domain errors carry ids only; anything else is logged by type, its message may quote input.
            reason = str(error) if isinstance(error, CivicLineError) else type(error).__name__
            self._logger.warning(
                "record failed; SQS will retry it", extra={"message_id": record.messageId, "reason": reason}
            )
            raise

    def _survey(self, response: SurveyResponse) -> None:
        stored = self._surveys.receive(response)
        ids = {"response_id": response.response_id, "form_id": response.form_id, "stored": stored}
        self._logger.info("survey recorded", extra=ids)
        _count(self._metrics, "SurveysRecorded" if stored else "SurveysRepeated")

    def _application(self, application: Application) -> None:
        ids: dict[str, Any] = {
            "submission_id": application.submission_id,
            "form_id": application.form_id,
            "kind": application.kind,
        }
        ran = _store_ran.set(False)
        try:
            outcome: IntakeOutcome = self.store_once(application=application)
            if not _store_ran.get():
                _count(self._metrics, "ApplicationsRepeated")
        finally:
            _store_ran.reset(ran)
        ids |= {"result": outcome.result, "reception_number": outcome.reception_number}
        try:
            notice = notice_for(application, outcome)
            delivery = self._sender.push(application.user_id, application.submission_id, notice)
        except LineUnavailable as error:
            # Stored already (and remembered): the retry of this record only pushes again, same retry key.
            self._logger.warning(
                "notice not pushed yet; record will be retried", extra={**ids, "reason": str(error)}
            )
            _count(self._metrics, "NoticesDeferred")
            raise
        if delivery is NoticeDelivery.REJECTED:
            self._logger.warning(
                "LINE refused the notice; application kept", extra={**ids, "delivery": delivery.value}
            )
        else:
            self._logger.info("application handled", extra={**ids, "delivery": delivery.value})
        _count(self._metrics, _NOTICE_METRICS[delivery])


def build(env: IntakeEnvironment, dynamodb: Any, logger: Logger, metrics: Metrics) -> IntakeService:
    """The composition root's wiring (functions/intake/app.py calls it once per container; tests too)."""
    return IntakeService(
        applications=DynamoApplications(dynamodb.Table(env.applications_table)),
        sealer=PiiSealer(env.pii_key_arn),
        sender=ConfirmationSender(),
        # A low-level client of its own: the resource's client rewrites attribute values for the resource.
        idempotency_store=DynamoDBPersistenceLayer(
            table_name=env.idempotency_table, boto3_client=boto3.client("dynamodb")
        ),
        logger=logger,
        metrics=metrics,
        retention_ceiling=timedelta(days=env.pii_retention_ceiling_days),
        survey_retention=timedelta(days=env.survey_retention_days),
    )
