"""The staff console (issue 11): its page and its API on one origin, the regional HTTP API.

The composition root of StaffApiFunction: the services are built once, here, at cold start; each
topic's routes are a Powertools Router under routes/ (docs/staff_api.md). Every answer, the page's files
and errors included, carries the security headers below. Errors are `{"message": "<Japanese>"}` with the
right status, never a stack trace, never a request's content.
"""

from __future__ import annotations

from json import JSONDecodeError
from typing import Any

from access import Forbidden, NotSignedIn
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError
from routes import applications, audit, auth, broadcasts, dashboard, exports, me, richmenu, surveys
from static_files import is_page_path, serve

from civicline.adapters.cognito_sign_in import cognito_client
from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.dynamodb.wire_client import dynamodb_client
from civicline.adapters.planner_function import planner_lambda_client
from civicline.domain.errors import CivicLineError
from civicline.models.environment import StaffApiEnvironment, StaffConsoleDataEnvironment
from civicline.models.validation import validation_details
from civicline.services import staff_console_data
from civicline.services.staff_console import build_staff_console
from civicline.services.staff_console_data import ConsoleRefusal
from civicline.services.staff_refusals import Refusal, StaffRequestRefused

API_PREFIX = "/staff/api"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Frame-Options": "DENY",
}
REFUSAL_STATUS = {
    Refusal.INVALID: 400,
    Refusal.NOT_FOUND: 404,
    Refusal.CONFLICT: 409,
    Refusal.UNAVAILABLE: 503,
}

logger = Logger()
console = build_staff_console(
    StaffApiEnvironment.from_environ(),
    dynamodb=dynamodb_resource(),
    dynamodb_wire=dynamodb_client(),
    lambda_=planner_lambda_client(),
    cognito=cognito_client(),
)
console_data = staff_console_data.build(StaffConsoleDataEnvironment.from_environ(), logger)
app = APIGatewayHttpResolver(strip_prefixes=[API_PREFIX])
app.include_router(auth.router)
app.include_router(me.router)
app.include_router(broadcasts.router)
app.include_router(richmenu.router)
app.include_router(audit.router)
app.include_router(dashboard.router)
app.include_router(applications.router)
app.include_router(exports.router)
app.include_router(surveys.router)


def answer(status: int, message: str, **extra: Any) -> Response[dict[str, Any]]:
    return Response(status_code=status, content_type="application/json", body={"message": message, **extra})


@app.exception_handler(NotSignedIn)
def not_signed_in(_: NotSignedIn) -> Response[dict[str, Any]]:
    return answer(401, "サインインしてください（サインインの有効時間が過ぎた可能性があります）。")


@app.exception_handler(Forbidden)
def forbidden(error: Forbidden) -> Response[dict[str, Any]]:
    return answer(403, error.message)


@app.exception_handler(StaffRequestRefused)
def refused(error: StaffRequestRefused) -> Response[dict[str, Any]]:
    extra = {"details": error.details} if error.details else {}
    return answer(REFUSAL_STATUS[error.kind], error.message, **extra)


@app.exception_handler(ConsoleRefusal)
def console_refused(error: ConsoleRefusal) -> Response[dict[str, Any]]:
    return answer(error.status, error.message)


@app.exception_handler(ValidationError)
def invalid(error: ValidationError) -> Response[dict[str, Any]]:
    # Field paths and reasons only: never the values (passwords, message texts).
    details = validation_details(error)
    return answer(400, "入力内容に誤りがあります。項目を確認してください。", details=details)


@app.exception_handler(JSONDecodeError)
def unreadable(_: JSONDecodeError) -> Response[dict[str, Any]]:
    return answer(400, "リクエストをJSONとして読めませんでした。")


@app.exception_handler(CivicLineError)
def unavailable(error: CivicLineError) -> Response[dict[str, Any]]:
    logger.warning("staff request failed", extra={"error": type(error).__name__})
    return answer(503, "処理できませんでした。しばらく待ってからもう一度お試しください。")


@app.exception_handler(Exception)
def failed(error: Exception) -> Response[dict[str, Any]]:
    logger.exception("staff request crashed", extra={"error": type(error).__name__})
    return answer(500, "システムエラーが発生しました。しばらく待ってからもう一度お試しください。")


@app.not_found
def not_found(_: Exception) -> Response[dict[str, Any]]:
    return answer(404, "そのAPIはありません。")


def with_security_headers(response: dict[str, Any], *, api: bool) -> dict[str, Any]:
    headers = response.setdefault("headers", {})
    headers.update(SECURITY_HEADERS)
    if api:
        headers["Cache-Control"] = "no-store"
    return response


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    path = str(event.get("rawPath", ""))
    logger.append_keys(route=event.get("routeKey"))
    if is_page_path(path):
        if event.get("requestContext", {}).get("http", {}).get("method") != "GET":
            return with_security_headers(
                {"statusCode": 405, "headers": {"Allow": "GET"}, "body": ""}, api=False
            )
        return with_security_headers(serve(path), api=False)
    app.append_context(console=console, console_data=console_data)
    return with_security_headers(app.resolve(event, context), api=True)
