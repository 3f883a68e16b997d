"""`POST /staff/api/exports` (exporter) and `POST /staff/api/exports/range` (admin, with a reason):
a 15-minute link through ExportFunction, audited under the signed-in staff (export grants)."""

from __future__ import annotations

from typing import Any

from access import require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role, StaffIdentity
from civicline.models.staff_exports import ExportAsk, ExportLink, RangeExportAsk
from civicline.services.staff_audit import StaffAudit
from civicline.services.staff_console_data import ConsoleData
from routes.answers import body_of, wire

router = Router()


def data() -> ConsoleData:
    service: ConsoleData = router.context["console_data"]
    return service


def audited(staff: StaffIdentity, action: str, form_id: str, link: ExportLink, **detail: Any) -> ExportLink:
    """The console's audit log lists the export under the signed-in staff (docs/staff_api.md); the
    export's own record, with the verified identity, is ExportFunction's in the AuditTable."""
    audit: StaffAudit = router.context["console"].audit
    audit.record(staff, action, form_id, exportId=link.export_id, rows=link.rows, **detail)
    return link


@router.post("/exports")
def export() -> Any:
    staff = require(router, Role.EXPORTER)
    ask = body_of(router, ExportAsk)
    return wire(audited(staff, "export.link", ask.form_id, data().export(staff, ask)))


@router.post("/exports/range")
def export_range() -> Any:
    staff = require(router, Role.ADMIN)
    ask = body_of(router, RangeExportAsk)
    link = data().export_range(staff, ask)
    period = {"from": ask.from_.isoformat(), "to": ask.to.isoformat(), "reason": ask.reason}
    return wire(audited(staff, "export.range", ask.form_id, link, **period))
