"""`GET /staff/api/dashboard` (any role) and `POST /staff/api/dashboard/refresh` (any role): the
snapshot's counts, never a resident table (civicline.services.staff_console_data)."""

from __future__ import annotations

from typing import Any

from access import require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role
from civicline.services.staff_console_data import ConsoleData, ConsoleRefusal
from routes.answers import answer, refused, wire

ANY_ROLE = tuple(Role)


def router(data: ConsoleData) -> Router:
    routes = Router()

    @routes.get("/dashboard")
    def dashboard() -> Any:
        require(routes, *ANY_ROLE)
        return wire(data.dashboard())

    @routes.post("/dashboard/refresh")
    def refresh() -> Any:
        require(routes, *ANY_ROLE)
        try:
            as_of = data.refresh()
        except ConsoleRefusal as refusal:
            return refused(refusal)
        # Started, not done: the page reads the dashboard again until `asOf` moves.
        return answer(202, {"asOf": None if as_of is None else as_of.isoformat()})

    return routes
