"""The local JWT authorizer: what API Gateway lets through to a staff route, and what it refuses with 401."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from moto.utilities.utils import load_resource

from devstack.activity import ActivityTracker
from devstack.http_api import HttpApiServer, Route, routes_from_template
from devstack.jwt_authorizer import (
    JwtAuthorizer,
    JwtAuthorizerConfig,
    Unauthorized,
    authorizer_configs,
    claim_string,
    moto_jwks_url,
)

POOL = "ap-northeast-1_staffpool"
ISSUER = f"https://cognito-idp.ap-northeast-1.amazonaws.com/{POOL}"
CLIENT = "staffconsoleclient"
# moto signs every pool's tokens with this one key (kid "dummy"); its JWKS is the public half.
MOTO_KEY = RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
MOTO_JWKS = load_resource("cognitoidp/resources/jwks-public.json")


def _token(key: RSAKey = MOTO_KEY, **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "7d3f0b7e-0000-4000-8000-000000000001",
        "cognito:username": "editor@example.jp",
        "cognito:groups": ["editor", "viewer"],
        "token_use": "id",
        "iat": now,
        "exp": now + 900,
    }
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, key)


def _authorizer() -> JwtAuthorizer:
    config = JwtAuthorizerConfig(name="StaffAuthorizer", issuer=ISSUER, audience=(CLIENT,))
    return JwtAuthorizer(config, moto_jwks_url("http://127.0.0.1:5000"), fetch=lambda _url: MOTO_JWKS)


def test_a_staff_members_token_from_the_pool_passes_with_claims_as_api_gateway_writes_them() -> None:
    # Given an ID token moto issued for the staff pool's app client
    token = _token()
    # When the authorizer checks the request's Authorization header
    claims = _authorizer().claims({"authorization": f"Bearer {token}"})
    # Then the function sees the claims as strings, the groups as API Gateway renders a list
    assert claims["sub"] == "7d3f0b7e-0000-4000-8000-000000000001"
    assert claims["cognito:username"] == "editor@example.jp"
    assert claims["cognito:groups"] == "[editor viewer]"
    assert claims["exp"].isdigit()


def test_an_access_token_names_the_client_in_client_id_and_passes_too() -> None:
    token = _token(aud=None, client_id=CLIENT, token_use="access")
    assert _authorizer().claims({"authorization": token})["client_id"] == CLIENT


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no token"),
        ({"authorization": "Bearer "}, "an empty bearer"),
        ({"authorization": "Bearer not-a-jwt"}, "not a JWT"),
        ({"authorization": _token(exp=int(time.time()) - 1)}, "expired"),
        (
            {"authorization": _token(iss="https://cognito-idp.ap-northeast-1.amazonaws.com/other")},
            "another pool",
        ),
        ({"authorization": _token(aud="another-client")}, "another app client"),
        ({"authorization": _token(iat=int(time.time()) + 600)}, "issued in the future"),
        ({"authorization": _token(key=RSAKey.generate_key(2048, parameters={"kid": "dummy"}))}, "forged key"),
    ],
)
def test_requests_api_gateway_would_refuse_are_refused(headers: dict[str, str], why: str) -> None:
    with pytest.raises(Unauthorized):
        _authorizer().claims(headers)


def test_the_keys_come_from_moto_at_the_pools_jwks_path() -> None:
    assert (
        moto_jwks_url("http://127.0.0.1:5000")(ISSUER)
        == f"http://127.0.0.1:5000/{POOL}/.well-known/jwks.json"
    )


def test_claims_are_strings_like_api_gateways() -> None:
    assert claim_string(["admin"]) == "[admin]"
    assert claim_string(1700000000) == "1700000000"
    assert claim_string(True) == "true"


# -- the HttpApi server: a route with an authorizer never reaches its function without a valid token --

STAFF_FUNCTION_URI = "arn:aws:apigateway:r:lambda:path/2015-03-31/functions/${StaffFn.Arn}/invocations"
OPENAPI_BODY: dict[str, Any] = {
    "paths": {
        "/staff": {
            "get": {
                "x-amazon-apigateway-integration": {"uri": {"Fn::Sub": STAFF_FUNCTION_URI}},
                "security": [{"NONE": []}],
            }
        },
        "/staff/api/{proxy+}": {
            "x-amazon-apigateway-any-method": {
                "x-amazon-apigateway-integration": {"uri": {"Fn::Sub": STAFF_FUNCTION_URI}},
                "security": [{"StaffAuthorizer": []}],
            }
        },
    },
    "components": {
        "securitySchemes": {
            "StaffAuthorizer": {
                "type": "oauth2",
                "x-amazon-apigateway-authorizer": {
                    "type": "jwt",
                    "identitySource": "$request.header.Authorization",
                    "jwtConfiguration": {"issuer": {"Fn::Sub": "issuer"}, "audience": [{"Ref": "Client"}]},
                },
            }
        }
    },
}


class _EchoFunction:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        return {"statusCode": 200, "body": json.dumps(event.get("requestContext", {}).get("authorizer"))}


@pytest.fixture
def staff_api() -> Iterator[tuple[HttpApiServer, _EchoFunction]]:
    cfn = {"Resources": {"Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Body": OPENAPI_BODY}}}}
    resolved = {"issuer": ISSUER, "Client": CLIENT}

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((_, argument),) = value.items()
            return resolved[argument]
        if isinstance(value, dict):
            return {name: resolve(item) for name, item in value.items()}
        if isinstance(value, list):
            return [resolve(item) for item in value]
        return value

    configs = authorizer_configs(OPENAPI_BODY, resolve)
    authorizers = {
        name: JwtAuthorizer(config, moto_jwks_url("http://unused"), fetch=lambda _url: MOTO_JWKS)
        for name, config in configs.items()
    }
    function = _EchoFunction()
    server = HttpApiServer(
        "127.0.0.1",
        0,
        routes_from_template(cfn),
        {"StaffFn": function},  # type: ignore[dict-item]  # a stand-in with LocalFunction's invoke()
        ActivityTracker(),
        authorizers=authorizers,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, function
    finally:
        server.shutdown()


def _get(server: HttpApiServer, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_template_names_each_routes_authorizer() -> None:
    cfn = {"Resources": {"Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Body": OPENAPI_BODY}}}}
    routes = {route.route_key: route for route in routes_from_template(cfn)}
    assert routes["GET /staff"] == Route("GET", "/staff", "StaffFn", None)
    assert routes["ANY /staff/api/{proxy+}"].authorizer == "StaffAuthorizer"


def test_a_staff_api_call_without_a_token_is_refused_before_the_function_runs(
    staff_api: tuple[HttpApiServer, _EchoFunction],
) -> None:
    server, function = staff_api
    # When the console calls the API with no token
    status, body = _get(server, "/staff/api/me", {})
    # Then API Gateway's 401 comes back and the function never ran
    assert status == 401
    assert json.loads(body) == {"message": "Unauthorized"}
    assert function.events == []


def test_a_signed_in_call_reaches_the_function_with_the_claims_where_api_gateway_puts_them(
    staff_api: tuple[HttpApiServer, _EchoFunction],
) -> None:
    server, function = staff_api
    status, body = _get(server, "/staff/api/me", {"Authorization": f"Bearer {_token()}"})
    assert status == 200
    authorizer = json.loads(body)
    assert authorizer["jwt"]["claims"]["cognito:username"] == "editor@example.jp"
    assert authorizer["jwt"]["claims"]["cognito:groups"] == "[editor viewer]"
    # And the page itself needs no token
    status, _ = _get(server, "/staff", {})
    assert status == 200
    assert "authorizer" not in function.events[-1]["requestContext"]
