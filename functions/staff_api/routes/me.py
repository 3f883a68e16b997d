"""Who the signed-in member of staff is, and what the page may offer them."""

from __future__ import annotations

from typing import Any

from access import caller
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role

router = Router()


@router.get("/me")
def me() -> dict[str, Any]:
    who = caller(router)
    return {
        "username": who.username,
        "sub": who.sub,
        "roles": sorted(role.value for role in who.roles),
        "can": {
            "broadcast": who.has(Role.EDITOR),
            "export": who.has(Role.EXPORTER),
            "richmenu": who.has(Role.EDITOR),
            "audit": who.has(Role.ADMIN),
        },
    }
