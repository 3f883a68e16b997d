"""`/_sim/*`: the tester's side of the fake (no authentication). See the package docstring for the list."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from devstack.fake_line import limits
from devstack.fake_line.faults import FaultConfigError
from devstack.fake_line.routing import Route, Router, route
from devstack.fake_line.state import SimulatedUser
from devstack.fake_line.wire import (
    NOT_FOUND,
    LineApiError,
    Request,
    Response,
    json_object_body,
    json_response,
)

if TYPE_CHECKING:
    from devstack.fake_line.app import FakeLineApp


def _optional_body(request: Request) -> dict[str, Any]:
    return json_object_body(request) if request.body.strip() else {}


def user_from_json(body: dict[str, Any]) -> SimulatedUser:
    user_id, display_name = body.get("userId"), body.get("displayName")
    if not (isinstance(user_id, str) and limits.USER_ID.match(user_id)):
        raise LineApiError(400, "userId must be U followed by 32 lowercase hex digits")
    if not isinstance(display_name, str) or not display_name:
        raise LineApiError(400, "displayName must be a non-empty string")
    return SimulatedUser(
        user_id=user_id,
        display_name=display_name,
        picture_url=body.get("pictureUrl"),
        language=body.get("language"),
        status_message=body.get("statusMessage"),
    )


def add_user(app: FakeLineApp, request: Request, params: dict[str, str]) -> Response:
    user = user_from_json(json_object_body(request))
    app.state.add_user(user)
    return json_response(201, user.profile())


def list_users(app: FakeLineApp, request: Request, params: dict[str, str]) -> Response:
    return json_response(200, [user.profile() for user in app.state.users()])


def mint_reply_token(app: FakeLineApp, request: Request, params: dict[str, str]) -> Response:
    body = _optional_body(request)
    ttl = body.get("ttlSeconds")
    if ttl is not None and not isinstance(ttl, int | float):
        raise LineApiError(400, "ttlSeconds must be a number")
    token = app.state.mint_reply_token(user_id=body.get("userId"), ttl=ttl)
    return json_response(201, {"replyToken": token})


def list_requests(app: FakeLineApp, request: Request, params: dict[str, str]) -> Response:
    recorded = app.state.requests(path=request.query_value("path"))
    return json_response(200, [entry.to_json() for entry in recorded])


def reset(app: FakeLineApp, request: Request, params: dict[str, str]) -> Response:
    app.reset(users=bool(_optional_body(request).get("users")))
    return json_response(200, {})


def messages_for(app: FakeLineApp, request: Request, params: dict[str, str]) -> Response:
    return json_response(200, app.state.messages_for(params["userId"]))


def set_faults(app: FakeLineApp, request: Request, params: dict[str, str]) -> Response:
    try:
        app.faults.configure(_optional_body(request))
    except (FaultConfigError, TypeError, ValueError) as error:
        raise LineApiError(400, str(error)) from error
    return json_response(200, app.faults.describe())


def get_faults(app: FakeLineApp, request: Request, params: dict[str, str]) -> Response:
    return json_response(200, app.faults.describe())


def set_rate_limits(app: FakeLineApp, request: Request, params: dict[str, str]) -> Response:
    body = json_object_body(request)
    if not all(rate is None or isinstance(rate, int | float) for rate in body.values()):
        raise LineApiError(400, "rates must be numbers (requests per second) or null")
    app.rate_limiter.configure(body)
    return json_response(200, app.rate_limiter.rates())


def get_rate_limits(app: FakeLineApp, request: Request, params: dict[str, str]) -> Response:
    return json_response(200, app.rate_limiter.rates())


def richmenu_links(app: FakeLineApp, request: Request, params: dict[str, str]) -> Response:
    """Every per-user rich menu link, {userId: richMenuId}: what each resident sees instead of the default."""
    return json_response(200, app.richmenus.links())


SimHandler = Callable[["FakeLineApp", Request, dict[str, str]], Response]


def _route(method: str, template: str, handler: SimHandler) -> Route[SimHandler]:
    return route(method, template, "sim", handler)


_ROUTER: Router[SimHandler] = Router(
    [
        _route("POST", "/_sim/users", add_user),
        _route("GET", "/_sim/users", list_users),
        _route("POST", "/_sim/reply-tokens", mint_reply_token),
        _route("GET", "/_sim/requests", list_requests),
        _route("POST", "/_sim/reset", reset),
        _route("GET", "/_sim/messages/{userId}", messages_for),
        _route("POST", "/_sim/faults", set_faults),
        _route("GET", "/_sim/faults", get_faults),
        _route("POST", "/_sim/rate-limits", set_rate_limits),
        _route("GET", "/_sim/rate-limits", get_rate_limits),
        _route("GET", "/_sim/richmenu-links", richmenu_links),
    ]
)


def handle(app: FakeLineApp, request: Request) -> Response:
    matched = _ROUTER.match(request.method, request.path)
    try:
        if matched is None:
            raise LineApiError(404, NOT_FOUND)
        sim_route, params = matched
        return sim_route.handler(app, request, params)
    except LineApiError as error:
        return error.to_response()
