"""Routes as LINE's OpenAPI writes them (`/v2/bot/profile/{userId}`), matched in order."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devstack.fake_line.wire import Request, Response


@dataclass(frozen=True)
class Call:
    """One request on its way through a handler."""

    request: Request
    params: dict[str, str]
    request_id: str
    app: Any  # the FakeLineApp; typed loosely to keep handlers free of an import cycle


Handler = Callable[[Call], Response]


@dataclass(frozen=True)
class Route[H]:
    method: str
    template: str
    endpoint: str  # the name rate limits and faults are configured by
    handler: H
    retry_key_allowed: bool
    pattern: re.Pattern[str]
    authenticated: bool = True  # False only for the OAuth endpoint, which issues the bearer tokens


def route[H](
    method: str,
    template: str,
    endpoint: str,
    handler: H,
    *,
    retry_key_allowed: bool = False,
    authenticated: bool = True,
) -> Route[H]:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return Route(
        method, template, endpoint, handler, retry_key_allowed, re.compile(f"^{regex}$"), authenticated
    )


class Router[H]:
    def __init__(self, routes: list[Route[H]]) -> None:
        self._routes = routes

    def match(self, method: str, path: str) -> tuple[Route[H], dict[str, str]] | None:
        for route in self._routes:
            if route.method != method:
                continue
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
        return None
