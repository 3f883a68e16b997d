"""ホーム: `GET /staff/api/dashboard` (any role) and `POST /staff/api/dashboard/refresh` (any role): the
snapshot's counts, never a resident table (civicline.services.staff_console_data)."""

from __future__ import annotations

from typing import Any

from access import caller
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.services.staff_console_data import ConsoleData
from routes.answers import answer, wire

router = Router()


def data() -> ConsoleData:
    service: ConsoleData = router.context["console_data"]
    return service


@router.get("/dashboard")
def dashboard() -> Any:
    caller(router)
    return wire(data().dashboard())


@router.post("/dashboard/refresh")
def refresh() -> Response[str]:
    caller(router)
    as_of = data().refresh()
    # Started, not done: the page reads the dashboard again until `asOf` moves.
    return answer(202, {"asOf": None if as_of is None else as_of.isoformat()})
