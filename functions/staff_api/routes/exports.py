"""`POST /staff/api/exports` (exporter) and `POST /staff/api/exports/range` (admin, with a reason):
a 15-minute link through ExportFunction, audited under the signed-in staff (export grants)."""

from __future__ import annotations

from typing import Any

from access import require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role
from civicline.models.staff_exports import ExportAsk, RangeExportAsk
from civicline.services.staff_console_data import ConsoleData, ConsoleRefusal
from routes.answers import body_of, refused, wire


def router(data: ConsoleData) -> Router:
    routes = Router()

    @routes.post("/exports")
    def export() -> Any:
        staff = require(routes, Role.EXPORTER)
        try:
            return wire(data.export(staff, body_of(routes, ExportAsk)))
        except ConsoleRefusal as refusal:
            return refused(refusal)

    @routes.post("/exports/range")
    def export_range() -> Any:
        staff = require(routes, Role.ADMIN)
        try:
            return wire(data.export_range(staff, body_of(routes, RangeExportAsk)))
        except ConsoleRefusal as refusal:
            return refused(refusal)

    return routes
