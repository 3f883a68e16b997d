"""`GET /staff/api/surveys` (exporter): the survey forms the page offers results of;
`GET /staff/api/surveys/{formId}/results` (exporter): counts per choice, never a typed answer."""

from __future__ import annotations

from typing import Any

from access import require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.domain.applications.forms.definition import form_ids, load_form
from civicline.messages import text
from civicline.models.forms import FormPurpose
from civicline.models.staff import Role
from civicline.services.staff_console_data import ConsoleData
from routes.answers import wire

router = Router()


@router.get("/surveys")
def surveys() -> Any:
    require(router, Role.EXPORTER)
    # Form definitions are data shipped with the layer: listing them reads no table.
    forms = [load_form(form_id) for form_id in form_ids()]
    return [
        {"formId": form.id, "title": text(form.title)} for form in forms if form.purpose is FormPurpose.SURVEY
    ]


@router.get("/surveys/<form_id>/results")
def survey_results(form_id: str) -> Any:
    require(router, Role.EXPORTER)
    data: ConsoleData = router.context["console_data"]
    return wire(data.survey_results(form_id))
