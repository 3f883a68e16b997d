"""`GET /staff/api/applications` (exporter): per application form, waiting and exported (counts only)."""

from __future__ import annotations

from typing import Any

from access import require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role
from civicline.services.staff_console_data import ConsoleData
from routes.answers import wire


def router(data: ConsoleData) -> Router:
    routes = Router()

    @routes.get("/applications")
    def applications() -> Any:
        require(routes, Role.EXPORTER)
        return wire(data.applications())

    return routes
