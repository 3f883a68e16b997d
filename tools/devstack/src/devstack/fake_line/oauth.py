"""LINE's OAuth endpoint for stateless channel access tokens: `POST /oauth2/v3/token` (no bearer token).

Form body `grant_type=client_credentials&client_id=<channel id>&client_secret=<channel secret>`. The fake
answers with its one channel access token, so everything it authenticates keeps working whoever issued
the token; a wrong id or secret gets LINE's 400 `invalid_client`.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from devstack.fake_line.routing import Call, Handler, Route, route
from devstack.fake_line.wire import Response, json_response

STATELESS_TOKEN_SECONDS = 900  # 15 minutes, as LINE's


def _form(call: Call) -> dict[str, str]:
    fields = parse_qs(call.request.body.decode("utf-8", errors="replace"))
    return {name: values[0] for name, values in fields.items()}


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def issue_stateless_token(call: Call) -> Response:
    form = _form(call)
    if form.get("grant_type") != "client_credentials":
        return json_response(400, {"error": "unsupported_grant_type", "error_description": "grant_type"})
    channel_id, channel_secret = call.app.channel
    known_id = _same(form.get("client_id", ""), channel_id)
    if not (known_id and _same(form.get("client_secret", ""), channel_secret)):
        return json_response(400, {"error": "invalid_client", "error_description": "client_id or secret"})
    token = {"token_type": "Bearer", "access_token": call.app.channel_access_token}
    return json_response(200, {**token, "expires_in": STATELESS_TOKEN_SECONDS})


ROUTES: list[Route[Handler]] = [
    route("POST", "/oauth2/v3/token", "oauth_token", issue_stateless_token, authenticated=False),
]
