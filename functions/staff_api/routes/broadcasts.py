"""配信: dry run, send or schedule, test delivery, cancel a schedule, the list and each report.

The body of a dry run or a send is the BroadcastRequest of docs/broadcasts.md (what `make broadcast`
reads from YAML, as JSON); the console sets the broadcast id and the test recipients itself.
"""

from __future__ import annotations

from typing import Any

from access import require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role
from civicline.services.staff_broadcasts import StaffBroadcasts

router = Router()


def broadcasts() -> StaffBroadcasts:
    service: StaffBroadcasts = router.context["console"].broadcasts
    return service


@router.post("/broadcasts/dry-run")
def dry_run() -> dict[str, Any]:
    who = require(router, Role.EDITOR)
    return broadcasts().dry_run(who, router.current_event.json_body)


@router.post("/broadcasts/test")
def test_delivery() -> dict[str, Any]:
    who = require(router, Role.EDITOR)
    return broadcasts().test(who, router.current_event.json_body)


@router.post("/broadcasts")
def send() -> dict[str, Any]:
    who = require(router, Role.EDITOR)
    return broadcasts().send(who, router.current_event.json_body)


@router.get("/broadcasts")
def listing() -> list[dict[str, Any]]:
    require(router, Role.EDITOR, Role.VIEWER)
    return broadcasts().recent()


@router.get("/broadcasts/<broadcast_id>")
def report(broadcast_id: str) -> dict[str, Any]:
    require(router, Role.EDITOR, Role.VIEWER)
    return broadcasts().report(broadcast_id)


@router.delete("/broadcasts/<broadcast_id>/schedule")
def cancel(broadcast_id: str) -> dict[str, Any]:
    who = require(router, Role.EDITOR)
    return broadcasts().cancel(who, broadcast_id)
