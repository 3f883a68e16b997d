"""Intake of one application: store it once, or refuse it while the same kind is still pending.

The order matters for "crash between store and confirmation": an application already stored under
this submission id is answered from the store (no second number, no second item), before any rule.

Rule of the duplicate pending application: a resident has at most one `received` application per form
and kind. The store enforces it with a guard item taken in the same transaction as the application, so
two concurrent submissions can never both be stored. A guard whose application has left `received`
(exported, purged) is released: the next application takes it over.

Retention ceiling, decided: every application (and its guard) gets `purge_at` = received + the
deployment's ceiling (`PiiRetentionCeilingDays`) when it is stored, so an application the ward never
exports does not keep its applicant's personal data indefinitely. Export sets its own, earlier,
`purge_at` when it hands the answers over; an erasure removes them at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from civicline.domain.applications.errors import AlreadyStored, PendingGuardTaken
from civicline.domain.applications.masking import masked_answers
from civicline.domain.applications.ports import ApplicationStore, PiiSealer
from civicline.domain.applications.reception import format_reception_number, reception_prefix
from civicline.domain.applications.records import (
    ApplicationRecord,
    IntakeOutcome,
    PendingHolder,
)
from civicline.models.forms import Application
from civicline.ward_time import ward_date

# The template's PiiRetentionCeilingDays default: half a year covers any export rhythm a ward keeps.
DEFAULT_RETENTION_CEILING = timedelta(days=180)


def blocks(holder: PendingHolder | None, application: Application) -> bool:
    """Whether an existing guard refuses this application: held by another one still pending."""
    return holder is not None and holder.pending and holder.application_id != application.submission_id


def _stored(record: ApplicationRecord) -> IntakeOutcome:
    return IntakeOutcome(
        submission_id=record.application_id,
        result="stored",
        reception_number=record.reception_number,
        received_at=record.received_at,
    )


def _refused(application: Application, holder: PendingHolder) -> IntakeOutcome:
    return IntakeOutcome(
        submission_id=application.submission_id,
        result="refused_pending",
        reception_number=holder.reception_number,
    )


class Intake:
    def __init__(
        self,
        store: ApplicationStore,
        sealer: PiiSealer,
        retention_ceiling: timedelta = DEFAULT_RETENTION_CEILING,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._sealer = sealer
        self._retention_ceiling = retention_ceiling
        self._clock = clock

    def receive(self, application: Application) -> IntakeOutcome:
        existing = self._store.get(application.submission_id)
        if existing is not None:
            return _stored(existing)
        holder = self._store.pending_holder(application.user_id, application.form_id, application.kind)
        if blocks(holder, application):
            assert holder is not None
            return _refused(application, holder)
        record = self._record(application)
        try:
            self._store.add(record, replacing_holder=holder.application_id if holder else None)
        except AlreadyStored:
            # The same submission won a race with us (a concurrent redelivery): answer as it did.
            stored = self._store.get(application.submission_id)
            if stored is None:
                raise
            return _stored(stored)
        except PendingGuardTaken:
            # Another submission of the same kind got the guard between our read and our write.
            holder = self._store.pending_holder(application.user_id, application.form_id, application.kind)
            if holder is None or not blocks(holder, application):
                raise  # released again meanwhile: a retry of the record will store it
            return _refused(application, holder)
        return _stored(record)

    def _record(self, application: Application) -> ApplicationRecord:
        received_at = self._clock()
        prefix = reception_prefix(application.form_id)
        day = ward_date(received_at)
        number = format_reception_number(prefix, day, self._store.next_sequence(prefix, day))
        return ApplicationRecord(
            application_id=application.submission_id,
            user_id=application.user_id,
            form_id=application.form_id,
            form_version=application.form_version,
            kind=application.kind,
            submitted_at=application.submitted_at,
            received_at=received_at,
            reception_number=number,
            pii=self._sealer.seal(application.answers, application.submission_id, application.form_id),
            pii_masked=masked_answers(application.answers),
            first_edition=application.first_edition,
            last_edition=application.last_edition,
            purge_at=received_at + self._retention_ceiling,
            language=application.language,
        )
