"""In-memory ports of the console's counts and exports, and the routes put together as StaffApi's app
puts them (the role check's refusals answered as console-api's app answers them)."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from tests.support.repo import REPO_ROOT

from civicline.domain.dashboard.ports import ApplicationCounts
from civicline.models.dashboard import BroadcastDigest, DashboardSnapshot
from civicline.models.export_grant import ExportGrant
from civicline.models.forms import SurveyResponse
from civicline.models.survey_results import SurveyResults
from civicline.services.staff_console_data import ConsoleData

STAFF_API = REPO_ROOT / "functions" / "staff_api"
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


@dataclass
class FakeSnapshots:
    stored: DashboardSnapshot = field(default_factory=DashboardSnapshot)
    surveys: dict[str, SurveyResults] = field(default_factory=dict)

    def save(self, snapshot: DashboardSnapshot, surveys: list[SurveyResults]) -> None:
        self.stored = snapshot
        self.surveys.update({result.form_id: result for result in surveys})

    def dashboard(self) -> DashboardSnapshot:
        return self.stored

    def survey(self, form_id: str) -> SurveyResults | None:
        return self.surveys.get(form_id)


@dataclass
class FakeGrants:
    grants: dict[str, ExportGrant] = field(default_factory=dict)

    def issue(self, grant: ExportGrant) -> None:
        self.grants[grant.grant_id] = grant

    def consume(self, grant_id: str) -> ExportGrant | None:
        return self.grants.pop(grant_id, None)


@dataclass
class FakeFunctions:
    """ExportFunction answering as told; refreshes counted."""

    answer: dict[str, Any] = field(
        default_factory=lambda: {
            "exportId": "20261129T090000Z-0a1b2c3d",
            "recordCount": 2,
            "url": "https://bucket.s3.ap-northeast-1.amazonaws.com/k.csv?X-Amz-Expires=900",
            "expiresAt": "2026-11-29T09:15:00+00:00",
        }
    )
    grants_seen: list[str] = field(default_factory=list)
    refreshes: int = 0

    def export(self, grant_id: str) -> dict[str, Any]:
        self.grants_seen.append(grant_id)
        return self.answer

    def start_refresh(self) -> None:
        self.refreshes += 1


@dataclass
class FakeCounts:
    """ApplicationCountSource and BroadcastDigestSource with fixed contents."""

    counts: dict[str, ApplicationCounts] = field(default_factory=dict)
    responses: list[SurveyResponse] = field(default_factory=list)
    broadcasts: list[BroadcastDigest] = field(default_factory=list)

    def application_counts(self, form_id: str) -> ApplicationCounts:
        return self.counts.get(form_id, ApplicationCounts(form_id, 0, 0))

    def survey_responses(self, form_id: str) -> Iterator[SurveyResponse]:
        return iter([r for r in self.responses if r.form_id == form_id])

    def latest(self, limit: int) -> list[BroadcastDigest]:
        return sorted(self.broadcasts, key=lambda b: b.created_at, reverse=True)[:limit]


@dataclass
class Console:
    data: ConsoleData
    snapshots: FakeSnapshots
    grants: FakeGrants
    functions: FakeFunctions
    app: APIGatewayHttpResolver

    def call(
        self, method: str, path: str, roles: tuple[str, ...] | None = ("admin",), body: Any = None
    ) -> tuple[int, Any]:
        return call(self.app, method, path, roles, body)


def _staff_api_module(name: str) -> ModuleType:
    """A module of functions/staff_api, imported as Lambda imports it (the function's folder as root)."""
    if str(STAFF_API) not in sys.path:
        sys.path.insert(0, str(STAFF_API))
    return importlib.import_module(name)


def console(clock: datetime = NOW) -> Console:
    snapshots, grants, functions = FakeSnapshots(), FakeGrants(), FakeFunctions()
    data = ConsoleData(
        snapshots=snapshots, grants=grants, functions=functions, logger=Logger(), clock=lambda: clock
    )
    return Console(data, snapshots, grants, functions, staff_api_app(data))


def staff_api_app(data: ConsoleData) -> APIGatewayHttpResolver:
    """The data routes in an app as StaffApi's app.py includes them (one line each), with the role
    check's refusals answered as console-api's app answers them."""
    access = _staff_api_module("access")
    app = APIGatewayHttpResolver()
    for name in ("dashboard", "applications", "exports", "surveys"):
        app.include_router(_staff_api_module(f"routes.{name}").router(data), prefix="/staff/api")

    @app.exception_handler(access.Forbidden)
    def forbidden(error: Any) -> Response[str]:
        return Response(403, content_types.APPLICATION_JSON, json.dumps({"message": error.message}))

    @app.exception_handler(access.NotSignedIn)
    def not_signed_in(error: Any) -> Response[str]:
        body = json.dumps({"message": "サインインしてください。"})
        return Response(401, content_types.APPLICATION_JSON, body)

    return app


def call(
    app: APIGatewayHttpResolver, method: str, path: str, roles: tuple[str, ...] | None, body: Any = None
) -> tuple[int, Any]:
    answer = app.resolve(http_event(method, path, roles, body), {})
    return int(answer["statusCode"]), json.loads(answer["body"]) if answer.get("body") else None


def http_event(method: str, path: str, roles: tuple[str, ...] | None, body: Any = None) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event as the JWT authorizer hands it on (claims in the context)."""
    authorizer = (
        {}
        if roles is None
        else {
            "jwt": {
                "claims": {
                    "sub": "5f3c-sub",
                    "cognito:username": "staff@example.jp",
                    "cognito:groups": f"[{' '.join(roles)}]",
                },
                "scopes": None,
            }
        }
    )
    return {
        "version": "2.0",
        "routeKey": "ANY /staff/api/{proxy+}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"},
            "authorizer": authorizer,
            "requestId": "r1",
            "routeKey": "ANY /staff/api/{proxy+}",
            "stage": "$default",
        },
        "body": None if body is None else json.dumps(body, ensure_ascii=False),
        "isBase64Encoded": False,
    }
