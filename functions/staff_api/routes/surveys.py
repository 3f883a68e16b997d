"""`GET /staff/api/surveys/{formId}/results` (exporter): counts per choice, never a typed answer."""

from __future__ import annotations

from typing import Any

from access import require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role
from civicline.services.staff_console_data import ConsoleData
from routes.answers import wire

router = Router()


@router.get("/surveys/<form_id>/results")
def survey_results(form_id: str) -> Any:
    require(router, Role.EXPORTER)
    data: ConsoleData = router.context["console_data"]
    return wire(data.survey_results(form_id))
