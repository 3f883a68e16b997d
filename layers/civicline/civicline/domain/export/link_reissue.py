"""A new link to an earlier export's file (a scheduled export's, say): no new export, one more audit
record naming who asked for it."""

from __future__ import annotations

from civicline.domain.export.errors import ExportNotFound
from civicline.domain.export.ports import ExportPorts, Invocation
from civicline.domain.export.publish import link_fields, requester
from civicline.models.export import ExportRequest, ExportResult, ExportTuning
from civicline.models.forms import FormDefinition


def reissue_link(
    request: ExportRequest, form: FormDefinition, ports: ExportPorts, tuning: ExportTuning, run: Invocation
) -> ExportResult:
    assert request.export_id is not None
    original = ports.audit.find(form.id, request.export_id)
    if original is None or original.object_key is None or not ports.files.exists(original.object_key):
        raise ExportNotFound(f"export {request.export_id} of {form.id} has no file (any more)")
    issued = original.model_copy(
        update={
            "invocation_id": run.invocation_id,
            "issued_at": run.now,
            "trigger": request.trigger,
            "identity_verified": False,
            "requested_by_sub": None,
            "reason": None,
            **requester(request, run),
            "reissued": True,
            **link_fields(
                form=form, key=original.object_key, request=request, ports=ports, tuning=tuning, run=run
            ),
        }
    )
    ports.audit.record_link(issued)
    return issued
