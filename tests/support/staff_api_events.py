"""Requests to StaffApiFunction as API Gateway's HTTP API (payload 2.0) delivers them.

Behind the JWT authorizer API Gateway puts the verified token's claims in
`requestContext.authorizer.jwt.claims`, every value a string: an array claim such as `cognito:groups`
arrives flattened, "[admin editor]". The sign-in routes and the page have no authorizer, so no claims.
"""

from __future__ import annotations

import json
from typing import Any

SIGN_IN_ROUTE = "/staff/api/auth/{proxy+}"
API_ROUTE = "/staff/api/{proxy+}"
PAGE_ROUTE = "/staff/{proxy+}"


def staff_claims(username: str, *groups: str, sub: str | None = None) -> dict[str, str]:
    """An ID token's claims of the staff pool, as the authorizer hands them on."""
    return {
        "sub": sub or f"sub-{username.split('@', maxsplit=1)[0]}",
        "cognito:username": username,
        "cognito:groups": f"[{' '.join(groups)}]",
        "token_use": "id",
        "aud": "console-client",
        "iss": "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_test",
    }


def route_of(path: str) -> str:
    if path.startswith("/staff/api/auth/"):
        return SIGN_IN_ROUTE
    if path.startswith("/staff/api/"):
        return API_ROUTE
    return "/staff" if path == "/staff" else PAGE_ROUTE


def http_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    claims: dict[str, str] | None = None,
    raw_body: str | None = None,
) -> dict[str, Any]:
    route_key = f"{method} {route_of(path)}"
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "staffapi",
        "domainName": "staffapi.execute-api.ap-northeast-1.amazonaws.com",
        "domainPrefix": "staffapi",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.10",
            "userAgent": "Mozilla/5.0",
        },
        "requestId": "req-1",
        "routeKey": route_key,
        "stage": "$default",
        "time": "01/Apr/2026:09:00:00 +0000",
        "timeEpoch": 1775034000000,
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    text = (
        raw_body if raw_body is not None else (None if body is None else json.dumps(body, ensure_ascii=False))
    )
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": context["domainName"]},
        "requestContext": context,
        "body": text,
        "isBase64Encoded": False,
    }


def answer_json(response: dict[str, Any]) -> Any:
    return json.loads(response["body"]) if response.get("body") else None
