"""`POST /staff/api/exports` (exporter) and `POST /staff/api/exports/range` (admin, with a reason):
a 15-minute link through ExportFunction, audited under the signed-in staff twice over: the export's own
record (AuditTable, `identityVerified: true`, through the export grant) and the console's StaffActions
item (`export.link` / `export.range`: ids and counts, for the 監査ログ page)."""

from __future__ import annotations

from typing import Any

from access import require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role, StaffIdentity
from civicline.models.staff_exports import ExportAsk, ExportLink, RangeExportAsk
from civicline.services.staff_console import StaffConsole
from civicline.services.staff_console_data import ConsoleData
from routes.answers import body_of, wire

router = Router()


def data() -> ConsoleData:
    service: ConsoleData = router.context["console_data"]
    return service


def audited(staff: StaffIdentity, action: str, form_id: str, link: ExportLink) -> Any:
    console: StaffConsole = router.context["console"]
    console.audit.record(staff, action, form_id, exportId=link.export_id, rows=link.rows)
    return wire(link)


@router.post("/exports")
def export() -> Any:
    staff = require(router, Role.EXPORTER)
    ask = body_of(router, ExportAsk)
    return audited(staff, "export.link", ask.form_id, data().export(staff, ask))


@router.post("/exports/range")
def export_range() -> Any:
    staff = require(router, Role.ADMIN)
    ask = body_of(router, RangeExportAsk)
    return audited(staff, "export.range", ask.form_id, data().export_range(staff, ask))
