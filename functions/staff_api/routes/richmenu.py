"""リッチメニュー: the current mode (any role), the switch 通常 ↔ 防災 (editor), as `make richmenu`."""

from __future__ import annotations

from typing import Any

from access import caller, require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role
from civicline.services.staff_refusals import Refusal, StaffRequestRefused
from civicline.services.staff_richmenu import RichMenuModes

router = Router()


def modes() -> RichMenuModes:
    service: RichMenuModes = router.context["console"].rich_menu
    return service


@router.get("/richmenu")
def current() -> dict[str, Any]:
    caller(router)
    return modes().mode()


@router.put("/richmenu")
def switch() -> dict[str, Any]:
    who = require(router, Role.EDITOR)
    body = router.current_event.json_body
    if not isinstance(body, dict):
        raise StaffRequestRefused(Refusal.INVALID, "mode は normal か disaster を指定してください。")
    return modes().switch(who, str(body.get("mode", "")))
