"""In-memory ports of the console's counts and exports, put into StaffApiFunction's module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from tests.support.staff_api_events import answer_json, http_event, staff_claims
from tests.unit.staff_api.staff_api_fakes import StaffApi, staff_api

from civicline.domain.dashboard.ports import ApplicationCounts
from civicline.models.dashboard import BroadcastDigest, DashboardSnapshot
from civicline.models.export_grant import ExportGrant
from civicline.models.forms import SurveyResponse
from civicline.models.survey_results import SurveyResults
from civicline.services.staff_console_data import ConsoleData

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
    """StaffApiFunction's module (tests/unit/staff_api) with the console's data on the fakes above."""

    api: StaffApi
    data: ConsoleData
    snapshots: FakeSnapshots
    grants: FakeGrants
    functions: FakeFunctions

    def call(
        self, method: str, path: str, roles: tuple[str, ...] | None = ("admin",), body: Any = None
    ) -> tuple[int, Any]:
        return call(self.api.call, method, path, roles, body)


def call(
    handler: Callable[[dict[str, Any]], dict[str, Any]],
    method: str,
    path: str,
    roles: tuple[str, ...] | None,
    body: Any = None,
) -> tuple[int, Any]:
    """A request as the HTTP API hands it on: `roles` None is a request without verified claims."""
    claims = None if roles is None else staff_claims("staff@example.jp", *roles, sub="5f3c-sub")
    answer = handler(http_event(method, path, body, claims=claims))
    return int(answer["statusCode"]), answer_json(answer)


def console(monkeypatch: pytest.MonkeyPatch, clock: datetime = NOW) -> Console:
    api = staff_api(monkeypatch)
    snapshots, grants, functions = FakeSnapshots(), FakeGrants(), FakeFunctions()
    data = ConsoleData(
        snapshots=snapshots, grants=grants, functions=functions, logger=Logger(), clock=lambda: clock
    )
    monkeypatch.setattr(api.module, "console_data", data)
    return Console(api, data, snapshots, grants, functions)
