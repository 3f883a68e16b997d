"""How the console's data routes answer: camelCase JSON; a ConsoleRefusal becomes `{"message"}` with
its status (app.py's exception handler)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ValidationError

from civicline.services.staff_console_data import ConsoleRefusal

INVALID = "入力内容に誤りがあります。項目を確かめてもう一度お試しください。"


def answer(status: int, value: dict[str, Any]) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(value, ensure_ascii=False),
    )


def body_of[Ask: BaseModel](router: Router, model: type[Ask]) -> Ask:
    """The request body as `model`; a ConsoleRefusal (400) naming no value when it does not fit."""
    try:
        return model.model_validate(router.current_event.json_body or {})
    except (ValidationError, ValueError):
        raise ConsoleRefusal(400, INVALID) from None


def wire(value: BaseModel | list[Any]) -> Any:
    if isinstance(value, list):
        return [wire(item) for item in value]
    return value.model_dump(mode="json", by_alias=True)
