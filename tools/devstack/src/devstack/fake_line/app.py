"""The request pipeline LINE applies, in LINE's order: route, authenticate, rate-limit, retry key, handle.

Injected faults (faults.py) sit between the rate limiter and the handler. Every answer carries
`x-line-request-id`; only accepted (2xx) requests are recorded and remember their retry key.
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any

from devstack.fake_line import messaging, oauth, richmenu_api, sim
from devstack.fake_line.faults import Fault, FaultPlan
from devstack.fake_line.ratelimit import RateLimiter
from devstack.fake_line.richmenus import RichMenuStore
from devstack.fake_line.routing import Call, Handler, Route, Router
from devstack.fake_line.state import RecordedRequest, RetryKeyTaken, State, new_request_id
from devstack.fake_line.wire import NOT_FOUND, LineApiError, Request, Response

RETRY_KEY_HEADER = "x-line-retry-key"
RETRY_KEY = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
AUTHENTICATION_FAILED = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)
RATE_LIMITED = "The API rate limit has been exceeded. Try again later."
SIM_PREFIX = "/_sim"


class FakeLineApp:
    """LINE's Messaging API behaviour, independent of the HTTP server that carries it."""

    def __init__(
        self,
        channel_access_token: str,
        rate_limits: dict[str, float | None] | None = None,
        faults: dict[str, Any] | None = None,
        reply_token_ttl: float = 60.0,
        channel: tuple[str, str] = ("", ""),
    ) -> None:
        self.channel_access_token = channel_access_token
        self.channel = channel  # (channel id, channel secret): what the OAuth endpoint issues tokens for
        self.state = State(reply_token_ttl=reply_token_ttl)
        self.richmenus = RichMenuStore()
        self.rate_limiter = RateLimiter(rate_limits)
        self.faults = FaultPlan(faults)
        self._router: Router[Handler] = Router([*messaging.ROUTES, *richmenu_api.ROUTES, *oauth.ROUTES])

    def handle(self, request: Request) -> Response:
        if request.path == SIM_PREFIX or request.path.startswith(SIM_PREFIX + "/"):
            return sim.handle(self, request)
        request_id = new_request_id()
        try:
            response = self._handle_line_call(request, request_id)
        except LineApiError as error:
            response = error.to_response()
        response.headers.setdefault("x-line-request-id", request_id)
        return response

    def reset(self, users: bool = False) -> None:
        self.state.reset(users=users)
        self.richmenus.clear()
        self.faults.configure(None)
        self.rate_limiter.restore()

    def _handle_line_call(self, request: Request, request_id: str) -> Response:
        matched = self._router.match(request.method, request.path)
        if matched is None:
            raise LineApiError(404, NOT_FOUND)
        route, params = matched
        if route.authenticated:
            self._authenticate(request)
        if not self.rate_limiter.allow(route.endpoint):
            raise LineApiError(429, RATE_LIMITED)
        fault = self.faults.draw(route.endpoint)
        if fault is Fault.RATE_LIMITED:
            raise LineApiError(429, RATE_LIMITED)
        if fault is Fault.SERVER_ERROR:
            raise LineApiError(500, "Internal server error")
        retry_key = self._retry_key(request, route)
        if retry_key is not None:
            try:
                self.state.hold_retry_key(retry_key, request_id)
            except RetryKeyTaken as taken:
                raise LineApiError(
                    409,
                    "The retry key is already accepted",
                    headers={"x-line-accepted-request-id": taken.accepted_request_id},
                ) from None
        try:
            response = route.handler(Call(request, params, request_id, self))
        except BaseException:
            if retry_key is not None:
                self.state.release_retry_key(retry_key, request_id)
            raise
        self.state.record(
            RecordedRequest(request_id, request.method, request.path, _recorded_body(request), retry_key)
        )
        response.headers["x-line-request-id"] = request_id
        response.drop_connection = fault is Fault.ACCEPTED_THEN_DROPPED
        return response

    def _authenticate(self, request: Request) -> None:
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        expected = self.channel_access_token.encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
            raise LineApiError(401, AUTHENTICATION_FAILED)

    @staticmethod
    def _retry_key(request: Request, route: Route[Handler]) -> str | None:
        retry_key = request.header(RETRY_KEY_HEADER)
        if retry_key is None:
            return None
        if not route.retry_key_allowed:
            raise LineApiError(400, "The retry key cannot be used with this API")
        if not RETRY_KEY.match(retry_key):
            raise LineApiError(400, "The retry key must be a UUID in hexadecimal format")
        return retry_key.lower()


def _recorded_body(request: Request) -> Any:
    if not request.body or "json" not in (request.header("content-type") or "json"):
        return None
    try:
        return json.loads(request.body)
    except ValueError:
        return None
