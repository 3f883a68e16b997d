"""StaffApiFunction with its services on fakes: the planner, the reports, the audit stores, Cognito."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import pytest
from tests.support.lambda_runtime import FakeLambdaContext, load_function_module

from civicline.adapters.cognito_sign_in import CognitoSignIn
from civicline.adapters.line.client import LineApi
from civicline.models.broadcast.report import BroadcastReport, BroadcastStatus
from civicline.models.environment import StaffApiEnvironment
from civicline.models.staff import StaffAction
from civicline.services.staff_audit import StaffAudit
from civicline.services.staff_broadcasts import StaffBroadcasts
from civicline.services.staff_console import StaffConsole
from civicline.services.staff_richmenu import RichMenuModes

NOW = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
STAFF_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "ap-northeast-1",
    "AWS_REGION": "ap-northeast-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "BROADCASTS_TABLE": "Broadcasts",
    "AUDIT_TABLE": "Audit",
    "STAFF_ACTIONS_TABLE": "StaffActions",
    "BROADCAST_PLANNER_FUNCTION": "planner",
    "STAFF_USER_POOL_ID": "ap-northeast-1_test",
    "STAFF_USER_POOL_CLIENT_ID": "console-client",
    "STAFF_TEST_RECIPIENTS": "U" + "a" * 32,
    "LINE_SECRET_ID": "line",
    "LINE_API_HOST": "http://127.0.0.1:9",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "STAFF_CONSOLE_TABLE": "StaffConsole",
    "EXPORT_FUNCTION": "export",
    "DASHBOARD_REFRESH_FUNCTION": "dashboard-refresh",
    "RICHMENU_RELINK_FUNCTION": "richmenu-relink",
}


def report(broadcast_id: str, status: BroadcastStatus = BroadcastStatus.PLANNED) -> BroadcastReport:
    return BroadcastReport(
        broadcast_id=broadcast_id,
        title="防災訓練のお知らせ",
        status=status,
        created_at=NOW,
        send_date="2026-04-01",
        planning_complete=True,
        audience_size=3,
        batches_planned=1,
        batches_sent=1,
        recipients_sent=3,
        batches_failed=0,
        recipients_failed=0,
        retries=0,
        already_accepted=0,
    )


@dataclass
class FakePlanner:
    """Answers like the planner function: a preview, a report, or its `{"error": ...}`."""

    asked: list[dict[str, Any]] = field(default_factory=list)
    refusal: dict[str, Any] | None = None

    def ask(self, event: dict[str, Any]) -> dict[str, Any]:
        self.asked.append(event)
        if self.refusal is not None:
            return {"error": self.refusal}
        if "cancel" in event:
            return report(event["cancel"], BroadcastStatus.CANCELLED).model_dump(mode="json", by_alias=True)
        request = event["request"]
        if request.get("dry_run"):
            return {
                "dryRun": True,
                "audienceSize": 3,
                "byArea": {"yotsuya": 2, "unanswered": 1},
                "sendDate": "2026-04-01",
            }
        status = BroadcastStatus.SCHEDULED if request.get("send_at") else BroadcastStatus.PLANNED
        return report(request["broadcast_id"], status).model_dump(mode="json", by_alias=True)


@dataclass
class FakeReports:
    reports: dict[str, BroadcastReport] = field(default_factory=dict)

    def report(self, broadcast_id: str) -> BroadcastReport:
        from civicline.domain.broadcast.errors import BroadcastNotFound

        if broadcast_id not in self.reports:
            raise BroadcastNotFound(broadcast_id)
        return self.reports[broadcast_id]

    def recent(self, limit: int) -> list[BroadcastReport]:
        return sorted(self.reports.values(), key=lambda r: r.created_at, reverse=True)[:limit]


@dataclass
class FakeActions:
    recorded: list[StaffAction] = field(default_factory=list)

    def record(self, action: StaffAction) -> None:
        self.recorded.append(action)

    def month(self, moment: datetime, limit: int) -> list[StaffAction]:
        same = [a for a in self.recorded if (a.at.year, a.at.month) == (moment.year, moment.month)]
        return sorted(same, key=lambda a: a.at, reverse=True)[:limit]


@dataclass
class FakeDataRights:
    entries: list[dict[str, Any]] = field(default_factory=list)

    def month(self, moment: datetime, limit: int) -> list[dict[str, Any]]:
        prefix = f"{moment:%Y-%m}"
        return [e for e in self.entries if e["requestedAt"].startswith(prefix)][:limit]


@dataclass
class FakeCognito:
    """Cognito's user-pool API as the sign-in adapter calls it (one user, no MFA unless told)."""

    password: str = "Correct-horse-1!"
    challenge: str | None = None
    calls: list[str] = field(default_factory=list)

    def _tokens(self) -> dict[str, Any]:
        return {
            "AuthenticationResult": {
                "IdToken": "id.token",
                "AccessToken": "access.token",
                "RefreshToken": "refresh.token",
                "ExpiresIn": 900,
            }
        }

    def _refuse(self, code: str) -> None:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": code, "Message": "refused"}}, "Cognito")

    def initiate_auth(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs["AuthFlow"])
        parameters = kwargs["AuthParameters"]
        if kwargs["AuthFlow"] == "REFRESH_TOKEN_AUTH":
            if parameters["REFRESH_TOKEN"] != "refresh.token":
                self._refuse("NotAuthorizedException")
            result = self._tokens()
            del result["AuthenticationResult"]["RefreshToken"]
            return result
        if parameters["PASSWORD"] != self.password:
            self._refuse("NotAuthorizedException")
        if self.challenge:
            return {"ChallengeName": self.challenge, "Session": "session-1", "ChallengeParameters": {}}
        return self._tokens()

    def respond_to_auth_challenge(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs["ChallengeName"])
        if kwargs["ChallengeResponses"].get("SOFTWARE_TOKEN_MFA_CODE", "123456") != "123456":
            self._refuse("CodeMismatchException")
        return self._tokens()

    def associate_software_token(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append("associate_software_token")
        return {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "session-2"}

    def verify_software_token(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append("verify_software_token")
        return {"Status": "SUCCESS" if kwargs["UserCode"] == "123456" else "ERROR", "Session": "session-3"}

    def revoke_token(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append("revoke_token")
        return {}

    def global_sign_out(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append("global_sign_out")
        if kwargs["AccessToken"] != "access.token":
            self._refuse("NotAuthorizedException")
        return {}


@dataclass
class FakeRelinks:
    """RichMenuRelinkFunction's asynchronous start: the events the console sent."""

    started: list[dict[str, str]] = field(default_factory=list)

    def start(self, mode: str, username: str, sub: str) -> None:
        self.started.append({"mode": mode, "username": username, "sub": sub})


@dataclass
class Fakes:
    planner: FakePlanner = field(default_factory=FakePlanner)
    relinks: FakeRelinks = field(default_factory=FakeRelinks)
    reports: FakeReports = field(default_factory=FakeReports)
    actions: FakeActions = field(default_factory=FakeActions)
    data_rights: FakeDataRights = field(default_factory=FakeDataRights)
    cognito: FakeCognito = field(default_factory=FakeCognito)


@dataclass
class StaffApi:
    """The function's module with its console on fakes; `call` invokes it like the HTTP API does."""

    module: ModuleType
    fakes: Fakes

    def call(self, event: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = self.module.lambda_handler(event, FakeLambdaContext())
        return answer


def staff_api(monkeypatch: pytest.MonkeyPatch, test_recipients: str | None = None) -> StaffApi:
    environment = dict(STAFF_ENVIRONMENT)
    if test_recipients is not None:
        environment["STAFF_TEST_RECIPIENTS"] = test_recipients
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    module = load_function_module("staff_api")
    fakes = Fakes()
    env = StaffApiEnvironment.from_environ()
    audit = StaffAudit(actions=fakes.actions, data_rights=fakes.data_rights, clock=lambda: NOW)
    console = StaffConsole(
        sign_in=CognitoSignIn(fakes.cognito, env.staff_user_pool_client_id),
        broadcasts=StaffBroadcasts(
            planner=fakes.planner,
            ledger=fakes.reports,
            audit=audit,
            test_recipients=tuple(env.test_recipients),
            clock=lambda: NOW,
        ),
        rich_menu=RichMenuModes(line=LineApi(env), audit=audit, relink=fakes.relinks),
        audit=audit,
    )
    monkeypatch.setattr(module, "console", console)
    return StaffApi(module=module, fakes=fakes)
