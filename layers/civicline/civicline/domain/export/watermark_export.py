"""The default mode: what arrived since the form's watermark, each application exported exactly once.

Claim the window (a conditional write: a second export of the form stops here), mark and write, then
advance the watermark and record the export in one transaction. See watermark.py for why the windows
tile time with neither gap nor overlap.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from civicline.domain.errors import CivicLineError
from civicline.domain.export.application_rows import MarkStep, application_rows, peeked
from civicline.domain.export.ports import Bounds, ExportPorts, Invocation
from civicline.domain.export.publish import Tally, publish
from civicline.domain.export.rows import APPLICATION_HEADER
from civicline.models.export import ExportRequest, ExportResult, ExportTrigger, ExportTuning, ExportWindow
from civicline.models.forms import FormDefinition


def export_since_watermark(
    request: ExportRequest, form: FormDefinition, ports: ExportPorts, tuning: ExportTuning, run: Invocation
) -> ExportResult:
    previous = ports.audit.watermark(form.id)
    claimed = previous.claimed_by(
        run.export_id, now=run.now, lag=tuning.safety_lag, lease_until=run.lease_until
    )
    ports.audit.replace_watermark(claimed, expected_version=previous.version)
    assert claimed.claim is not None
    window = ExportWindow(mode="watermark", after=claimed.current, up_to=claimed.claim.up_to)
    tally = Tally()
    mark = MarkStep(
        applications=ports.applications,
        watermark=claimed,
        export_id=run.export_id,
        exported_at=run.now,
        purge_at=run.now + timedelta(days=tuning.pii_retention_days),
    )
    bounds = Bounds(
        lower=claimed.current, upper=claimed.claim.up_to, lower_inclusive=False, upper_inclusive=True
    )
    try:
        rows = peeked(
            application_rows(ports.applications.pages(form.id, bounds), pii=ports.pii, tally=tally, mark=mark)
        )
        result = publish(
            request=request,
            form=form,
            window=window,
            header=APPLICATION_HEADER,
            rows=rows,
            tally=tally,
            ports=ports,
            tuning=tuning,
            run=run,
        )
    except BaseException:
        # Whatever this run marked was never delivered: the next export takes it over. Should the
        # release fail too, the claim's lease lapses and the next export takes over all the same.
        with contextlib.suppress(CivicLineError):
            ports.audit.replace_watermark(claimed.released(run.export_id), expected_version=claimed.version)
        raise
    ports.audit.commit(claimed.committed(run.export_id), expected_version=claimed.version, result=result)
    if request.trigger is ExportTrigger.SCHEDULE and (result.record_count or result.skipped_unreadable):
        ports.notifier.export_ready(result)
    return result
