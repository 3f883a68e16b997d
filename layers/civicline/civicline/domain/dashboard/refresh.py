"""One refresh of the staff console's snapshot: residents counted, applications and survey responses
counted per form, the latest broadcasts summed up, all stored with one `asOf`.

Everything the console shows as counts comes from here, so the console's own function reads no
resident table at all (its role has none): counts are all it could ever show.
"""

from __future__ import annotations

from datetime import datetime

from civicline.domain.applications.forms.definition import form_ids, load_form
from civicline.domain.dashboard.ports import (
    ApplicationCountSource,
    BroadcastDigestSource,
    ResidentCensusSource,
    SnapshotStore,
)
from civicline.domain.dashboard.survey_results import survey_results
from civicline.messages import text
from civicline.models.dashboard import DashboardSnapshot, FormApplications
from civicline.models.forms import FormPurpose

LATEST_BROADCASTS = 5


def refresh_snapshot(
    *,
    residents: ResidentCensusSource,
    applications: ApplicationCountSource,
    broadcasts: BroadcastDigestSource,
    store: SnapshotStore,
    now: datetime,
) -> DashboardSnapshot:
    forms = [load_form(form_id) for form_id in form_ids()]
    waiting = []
    surveys = []
    for form in forms:
        if form.purpose is FormPurpose.SURVEY:
            surveys.append(survey_results(form, applications.survey_responses(form.id), now))
            continue
        counts = applications.application_counts(form.id)
        waiting.append(
            FormApplications(
                form_id=form.id, title=text(form.title), waiting=counts.waiting, exported=counts.exported
            )
        )
    snapshot = DashboardSnapshot(
        **residents.census().model_dump(),
        applications_waiting=tuple(waiting),
        latest_broadcasts=tuple(broadcasts.latest(LATEST_BROADCASTS)),
        as_of=now,
    )
    store.save(snapshot, surveys)
    return snapshot
