"""`POST /staff/api/exports` (exporter) and `POST /staff/api/exports/range` (admin, with a reason):
a 15-minute link through ExportFunction, audited under the signed-in staff (export grants)."""

from __future__ import annotations

from typing import Any

from access import require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role
from civicline.models.staff_exports import ExportAsk, RangeExportAsk
from civicline.services.staff_console_data import ConsoleData
from routes.answers import body_of, wire

router = Router()


def data() -> ConsoleData:
    service: ConsoleData = router.context["console_data"]
    return service


@router.post("/exports")
def export() -> Any:
    staff = require(router, Role.EXPORTER)
    return wire(data().export(staff, body_of(router, ExportAsk)))


@router.post("/exports/range")
def export_range() -> Any:
    staff = require(router, Role.ADMIN)
    return wire(data().export_range(staff, body_of(router, RangeExportAsk)))
