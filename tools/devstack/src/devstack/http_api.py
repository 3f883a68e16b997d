"""The template's HttpApi routes served on localhost with API Gateway's payload format 2.0.

Routes come from the translated `AWS::ApiGatewayV2::Api` OpenAPI body: each path and method names its
function in the integration URI (`...functions/${WebhookFunction.Arn}/invocations`) and, in `security`,
its authorizer. JWT authorizers are applied before the function runs (jwt_authorizer.py); throttling and
custom domains are not emulated.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from devstack.activity import ActivityTracker
from devstack.handlers import FunctionError, LocalFunction
from devstack.jwt_authorizer import JwtAuthorizer, Unauthorized, route_authorizer
from devstack.loopback import LoopbackServer
from devstack.resolve import ACCOUNT_ID

log = logging.getLogger("devstack.http_api")

_FUNCTION_IN_URI = re.compile(r"functions/\$\{([A-Za-z0-9]+)\.Arn\}/invocations")
_TEXT_TYPES = re.compile(r"^(text/.*|application/(json|xml|javascript)|application/.*\+(json|xml))$")
_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
API_ID = "local"


@dataclass(frozen=True)
class Route:
    method: str  # upper case, or ANY
    path: str  # as in OpenAPI: /items/{itemId}, /{proxy+}, or $default
    function_id: str
    authorizer: str | None = None  # the securitySchemes name of its JWT authorizer

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.method not in ("ANY", method):
            return None
        if self.path == "$default":
            return {}
        pattern = "^"
        for segment in self.path.strip("/").split("/"):
            greedy = re.fullmatch(r"\{([^}]+)\+\}", segment)
            single = re.fullmatch(r"\{([^}]+)\}", segment)
            if greedy:
                pattern += f"/(?P<{_group(greedy.group(1))}>.+)"
            elif single:
                pattern += f"/(?P<{_group(single.group(1))}>[^/]+)"
            elif segment:
                pattern += "/" + re.escape(segment)
        matched = re.match(pattern + "/?$", path)
        if not matched:
            return None
        names = _path_parameter_names(self.path)
        return {names[group]: unquote(value) for group, value in matched.groupdict().items()}

    @property
    def specificity(self) -> tuple[int, int, int]:
        """API Gateway prefers exact segments over {param} over {proxy+}, then longer paths."""
        if self.path == "$default":
            return (0, 0, 0)
        greedy = "+}" in self.path
        return (0 if greedy else 1, self.path.count("/"), -self.path.count("{"))


def _group(name: str) -> str:
    return "p_" + re.sub(r"\W", "_", name)


def _path_parameter_names(path: str) -> dict[str, str]:
    return {_group(name): name for name in re.findall(r"\{([^}+]+)\+?\}", path)}


def routes_from_template(cfn: dict[str, Any]) -> list[Route]:
    routes: list[Route] = []
    for resource in cfn.get("Resources", {}).values():
        if resource.get("Type") != "AWS::ApiGatewayV2::Api":
            continue
        for path, operations in resource.get("Properties", {}).get("Body", {}).get("paths", {}).items():
            for method, operation in operations.items():
                if method != "x-amazon-apigateway-any-method" and method not in _METHODS:
                    continue
                uri = operation.get("x-amazon-apigateway-integration", {}).get("uri", {})
                text = uri.get("Fn::Sub", "") if isinstance(uri, dict) else str(uri)
                found = _FUNCTION_IN_URI.search(text if isinstance(text, str) else text[0])
                if not found:
                    log.warning("route %s %s has no Lambda integration; skipped", method, path)
                    continue
                verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
                routes.append(Route(verb, path, found.group(1), route_authorizer(operation)))
    return sorted(routes, key=lambda route: route.specificity, reverse=True)


def is_text(content_type: str | None) -> bool:
    """HTTP APIs pass text bodies through and base64-encode everything else."""
    if not content_type:
        return False
    return bool(_TEXT_TYPES.match(content_type.split(";", 1)[0].strip().lower()))


def build_event(
    *,
    route: Route,
    path_parameters: dict[str, str],
    method: str,
    raw_path: str,
    raw_query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    source_ip: str,
    host: str,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The event API Gateway (HTTP API, payload format 2.0) gives the function."""
    merged: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": merged,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": merged.get("user-agent", ""),
            },
            "requestId": base64.b32encode(uuid.uuid4().bytes)[:16].decode().rstrip("=") + "=",
            "routeKey": route.route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    if cookies:
        event["cookies"] = cookies
    if raw_query:
        query: dict[str, str] = {}
        for name, value in parse_qsl(raw_query, keep_blank_values=True):
            query[name] = f"{query[name]},{value}" if name in query else value
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        if is_text(merged.get("content-type")):
            event["body"] = body.decode("utf-8", errors="replace")
        else:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
    return event


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: bytes


def map_response(result: Any) -> HttpResponse:
    """Payload format 2.0: a dict with statusCode is used as given; anything else becomes JSON 200."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # The function's JSON-serialised return value is the body, as Lambda's runtime serialises it.
        return HttpResponse(200, {"content-type": "application/json"}, [], json.dumps(result).encode())
    headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[str(name)] = ",".join(str(v) for v in values)
    raw_body = result.get("body")
    body: bytes
    if raw_body is None:
        body = b""
    elif result.get("isBase64Encoded"):
        body = base64.b64decode(raw_body)
    else:
        body = (raw_body if isinstance(raw_body, str) else json.dumps(raw_body)).encode()
    return HttpResponse(int(result["statusCode"]), headers, list(result.get("cookies") or []), body)


class HttpApiServer(LoopbackServer):
    """A threading HTTP server dispatching the template's routes to their functions."""

    def __init__(
        self,
        host: str,
        port: int,
        routes: list[Route],
        functions: dict[str, LocalFunction],
        activity: ActivityTracker,
        *,
        authorizers: dict[str, JwtAuthorizer] | None = None,
    ) -> None:
        self.routes = routes
        self._authorizers = authorizers or {}
        self._functions = functions
        self._activity = activity
        super().__init__(host, port)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                with api._activity():
                    api._dispatch(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

            def log_message(self, format: str, *args: Any) -> None:
                log.info("%s %s", self.address_string(), format % args)

        return Handler

    def _dispatch(self, request: BaseHTTPRequestHandler) -> None:
        split = urlsplit(request.path)
        length = int(request.headers.get("content-length") or 0)
        body = request.rfile.read(length) if length else b""
        for route in self.routes:
            parameters = route.match(request.command, split.path)
            if parameters is None:
                continue
            claims: dict[str, str] | None = None
            if route.authorizer is not None:
                try:
                    claims = self._claims(route.authorizer, request)
                except Unauthorized as refusal:
                    log.info("401 %s %s: %s", request.command, split.path, refusal)
                    _send(request, _UNAUTHORIZED)
                    return
            event = build_event(
                route=route,
                path_parameters=parameters,
                method=request.command,
                raw_path=split.path,
                raw_query=split.query,
                headers=list(request.headers.items()),
                body=body,
                source_ip=request.client_address[0],
                host=request.headers.get("host", ""),
                claims=claims,
            )
            try:
                response = map_response(self._functions[route.function_id].invoke(event))
            except FunctionError:
                response = HttpResponse(
                    500, {"content-type": "application/json"}, [], b'{"message":"Internal Server Error"}'
                )
            _send(request, response)
            return
        _send(
            request, HttpResponse(404, {"content-type": "application/json"}, [], b'{"message":"Not Found"}')
        )

    def _claims(self, name: str, request: BaseHTTPRequestHandler) -> dict[str, str]:
        authorizer = self._authorizers.get(name)
        if authorizer is None:
            # A route naming an authorizer the stack could not build is closed, as API Gateway would be.
            raise Unauthorized(f"authorizer {name} is not configured locally")
        return authorizer.claims({key.lower(): value for key, value in request.headers.items()})


# What API Gateway answers when its JWT authorizer refuses a request.
_UNAUTHORIZED = HttpResponse(
    401,
    {"content-type": "application/json", "www-authenticate": 'Bearer error="invalid_token"'},
    [],
    b'{"message":"Unauthorized"}',
)


def _send(request: BaseHTTPRequestHandler, response: HttpResponse) -> None:
    request.send_response(response.status)
    for name, value in response.headers.items():
        if name.lower() not in ("content-length", "connection", "transfer-encoding"):
            request.send_header(name, value)
    for cookie in response.cookies:
        request.send_header("set-cookie", cookie)
    request.send_header("apigw-requestid", str(uuid.uuid4()))
    request.send_header("content-length", str(len(response.body)))
    request.end_headers()
    if request.command != "HEAD":
        request.wfile.write(response.body)
