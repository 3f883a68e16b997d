"""`GET /staff/api/surveys/{formId}/results` (exporter): counts per choice, never a typed answer."""

from __future__ import annotations

from typing import Any

from access import require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role
from civicline.services.staff_console_data import ConsoleData, ConsoleRefusal
from routes.answers import refused, wire


def router(data: ConsoleData) -> Router:
    routes = Router()

    @routes.get("/surveys/<form_id>/results")
    def survey_results(form_id: str) -> Any:
        require(routes, Role.EXPORTER)
        try:
            return wire(data.survey_results(form_id))
        except ConsoleRefusal as refusal:
            return refused(refusal)

    return routes
