"""The staff console's services: broadcasts through the planner, the rich-menu mode, the audit log.

The same services as the CLIs (issue 11): broadcasts are the planner's events (`make broadcast`,
`make report`, cancel), the rich menu is civicline.richmenu.deployer (`make richmenu MODE=...`). What
the console adds is who asked: every action is recorded in StaffActions under the token's identity.
Refusals carry a Japanese message staff can act on and a kind the HTTP layer turns into a status.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, cast

from pydantic import ValidationError

from civicline.adapters.cognito_sign_in import CognitoSignIn
from civicline.adapters.dynamodb.broadcast_ledger import DynamoBroadcasts
from civicline.adapters.dynamodb.broadcasts_table import BroadcastsTable
from civicline.adapters.dynamodb.data_rights_audit import DynamoDataRightsAudit
from civicline.adapters.dynamodb.staff_actions import DynamoStaffActions
from civicline.adapters.line.client import LineApi
from civicline.adapters.planner_function import PlannerFunction
from civicline.adapters.relink_function import RelinkFunction
from civicline.domain.broadcast.errors import BroadcastNotFound
from civicline.domain.errors import CivicLineError
from civicline.models.broadcast.report import BroadcastReport
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.environment import StaffApiEnvironment
from civicline.models.staff import StaffAction, StaffActor, StaffIdentity
from civicline.models.validation import validation_details
from civicline.richmenu.deployer import DeployError, current_with, switch_with
from civicline.ward_time import ward_time

# Fields the console decides, never the page: the id, a dry run (its own route), the test recipients.
SERVER_FIELDS = ("broadcast_id", "dry_run", "test_user_ids")
LIST_LIMIT = 50
AUDIT_LIMIT = 200


class Planner(Protocol):
    def ask(self, event: dict[str, Any]) -> dict[str, Any]: ...


class BroadcastReports(Protocol):
    def report(self, broadcast_id: str) -> BroadcastReport: ...

    def recent(self, limit: int) -> list[BroadcastReport]: ...


class StaffActionStore(Protocol):
    def record(self, action: StaffAction) -> None: ...

    def month(self, moment: datetime, limit: int) -> list[StaffAction]: ...


class DataRightsRecords(Protocol):
    def month(self, moment: datetime, limit: int) -> list[dict[str, Any]]: ...


class RelinkStarter(Protocol):
    """RichMenuRelinkFunction started asynchronously (adapters.relink_function)."""

    def start(self, mode: str, username: str, sub: str) -> None: ...


class Refusal(StrEnum):
    INVALID = "invalid"  # 400
    NOT_FOUND = "not_found"  # 404
    CONFLICT = "conflict"  # 409
    UNAVAILABLE = "unavailable"  # 503


class StaffRequestRefused(CivicLineError):
    def __init__(self, kind: Refusal, message: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.details = details or []


@dataclass(frozen=True)
class StaffAudit:
    actions: StaffActionStore
    data_rights: DataRightsRecords
    clock: Callable[[], datetime]

    def record(self, who: StaffIdentity, action: str, target: str = "", **detail: Any) -> None:
        self.actions.record(
            StaffAction(
                at=self.clock(),
                actor=StaffActor(username=who.username, sub=who.sub),
                action=action,
                target=target,
                detail=detail,
            )
        )

    def latest(self, actions: tuple[str, ...]) -> StaffAction | None:
        """This month's newest of these staff actions."""
        for action in self.actions.month(self.clock(), AUDIT_LIMIT):
            if action.action in actions:
                return action
        return None

    def recent(self) -> list[dict[str, Any]]:
        """Staff actions and data-rights requests of this month and the last, newest first."""
        now = self.clock()
        months = (now, now.replace(day=1) - timedelta(days=1))
        entries = [
            action.model_dump(mode="json", by_alias=True)
            for month in months
            for action in self.actions.month(month, AUDIT_LIMIT)
        ]
        for month in months:
            for request in self.data_rights.month(month, AUDIT_LIMIT):
                entries.append(
                    {
                        "at": request["requestedAt"],
                        # The resident asked through LINE; they are known by a one-way hash only.
                        "actor": {"username": "住民（LINE）", "sub": ""},
                        "action": f"dataRights.{request['action']}",
                        "target": request["subject"],
                        "detail": {"counts": request["counts"]},
                    }
                )
        entries.sort(key=lambda entry: _instant(entry["at"]), reverse=True)
        return entries[:AUDIT_LIMIT]


def _instant(moment: str) -> datetime:
    parsed = datetime.fromisoformat(moment)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class StaffBroadcasts:
    planner: Planner
    ledger: BroadcastReports
    audit: StaffAudit
    test_recipients: tuple[str, ...]
    clock: Callable[[], datetime]

    def _request(self, body: Any, **server: Any) -> BroadcastRequest:
        if not isinstance(body, dict):
            raise StaffRequestRefused(Refusal.INVALID, "配信内容をJSONのオブジェクトで送ってください。")
        chosen = [name for name in SERVER_FIELDS if name in body]
        if chosen:
            raise StaffRequestRefused(
                Refusal.INVALID,
                f"{', '.join(chosen)} は指定できません（配信IDとテスト配信先はシステムが決めます）。",
            )
        try:
            return BroadcastRequest.model_validate({**body, **server})
        except ValidationError as error:
            raise StaffRequestRefused(
                Refusal.INVALID,
                "配信内容に誤りがあります。項目を確認してください。",
                validation_details(error),
            ) from None

    def _new_id(self) -> str:
        return f"b-{ward_time(self.clock()):%Y%m%d-%H%M}-{uuid.uuid4().hex[:8]}"

    def _ask(self, event: dict[str, Any]) -> dict[str, Any]:
        answer = self.planner.ask(event)
        error = answer.get("error")
        if isinstance(error, dict):
            kind = str(error.get("type", ""))
            if kind == "BroadcastNotFound":
                raise StaffRequestRefused(Refusal.NOT_FOUND, "その配信は見つかりません。")
            if kind == "NotCancellable":
                raise StaffRequestRefused(
                    Refusal.CONFLICT, "予約中の配信だけを取り消せます（すでに開始・完了・取消済みです）。"
                )
            if kind == "InvalidRequest":
                raise StaffRequestRefused(
                    Refusal.INVALID,
                    "配信内容に誤りがあります。項目を確認してください。",
                    cast(list[dict[str, str]], error.get("details", [])),
                )
            raise StaffRequestRefused(Refusal.CONFLICT, f"配信を受け付けられませんでした（{kind}）。")
        return answer

    def dry_run(self, who: StaffIdentity, body: Any) -> dict[str, Any]:
        request = self._request(body, dry_run=True)
        answer = self._ask({"request": request.model_dump(mode="json", by_alias=True)})
        return {k: v for k, v in answer.items() if k != "dryRun"}

    def send(self, who: StaffIdentity, body: Any) -> dict[str, Any]:
        """Send now, or schedule when `send_at` is ahead: `{"broadcastId", "status"}`."""
        request = self._request(body, broadcast_id=self._new_id())
        report = self._ask({"request": request.model_dump(mode="json", by_alias=True)})
        action = "broadcast.schedule" if report.get("status") == "scheduled" else "broadcast.send"
        self.audit.record(
            who,
            action,
            str(report["broadcastId"]),
            status=report.get("status"),
            sendAt=report.get("sendAt"),
            messages=len(request.messages),
        )
        return {"broadcastId": report["broadcastId"], "status": report["status"]}

    def test(self, who: StaffIdentity, body: Any) -> dict[str, Any]:
        if not self.test_recipients:
            raise StaffRequestRefused(
                Refusal.CONFLICT,
                "テスト配信先が設定されていません。"
                "管理者にパラメータ StaffTestRecipients の設定を依頼してください。",
            )
        messages = body.get("messages") if isinstance(body, dict) else None
        # Every version goes to the test accounts, one each, as with the CLI's test_user_ids.
        translations = body.get("translations", {}) if isinstance(body, dict) else {}
        request = self._request(
            {"messages": messages, "translations": translations, "title": "テスト配信"},
            broadcast_id=self._new_id(),
            test_user_ids=list(self.test_recipients),
        )
        report = self._ask({"request": request.model_dump(mode="json", by_alias=True)})
        self.audit.record(
            who, "broadcast.test", str(report["broadcastId"]), recipients=len(self.test_recipients)
        )
        return {
            "broadcastId": report["broadcastId"],
            "status": report["status"],
            "recipients": len(self.test_recipients),
        }

    def cancel(self, who: StaffIdentity, broadcast_id: str) -> dict[str, Any]:
        report = self._ask({"cancel": broadcast_id})
        self.audit.record(who, "broadcast.cancel", broadcast_id, status=report.get("status"))
        return {"broadcastId": report["broadcastId"], "status": report["status"]}

    def report(self, broadcast_id: str) -> dict[str, Any]:
        try:
            return self.ledger.report(broadcast_id).model_dump(mode="json", by_alias=True)
        except BroadcastNotFound:
            raise StaffRequestRefused(Refusal.NOT_FOUND, "その配信は見つかりません。") from None

    def recent(self) -> list[dict[str, Any]]:
        return [
            report.model_dump(mode="json", by_alias=True, include=_LIST_FIELDS)
            for report in self.ledger.recent(LIST_LIMIT)
        ]


_LIST_FIELDS = {
    "broadcast_id",
    "title",
    "status",
    "test",
    "created_at",
    "send_at",
    "planning_complete",
    "audience_size",
    "batches_planned",
    "batches_completed",
    "batches_sent",
    "batches_failed",
    "recipients_sent",
    "recipients_failed",
}


@dataclass(frozen=True)
class RichMenuModes:
    """The rich menu's mode, read and switched with civicline.richmenu.deployer (as `make richmenu`).

    The switch moves the default at once (residents of the default language see it) and starts
    RichMenuRelinkFunction for the residents of other languages, whose linked menus hide the default:
    at 1M residents that takes minutes, longer than the HTTP API waits (services.richmenu_relink)."""

    line: LineApi
    audit: StaffAudit
    relink: RelinkStarter

    def mode(self) -> dict[str, Any]:
        """`{"mode", "relink"?}`: the relinking after this month's last switch, as the audit shows it
        (`running` until RichMenuRelinkFunction records its outcome)."""
        try:
            answer: dict[str, Any] = {"mode": current_with(self.line.api_client())}
        except DeployError:
            raise StaffRequestRefused(
                Refusal.UNAVAILABLE, "LINEからリッチメニューを読めませんでした。"
            ) from None
        last = self.audit.latest(("richmenu.switch", "richmenu.relink"))
        if last is not None:
            answer["relink"] = _relink_state(last)
        return answer

    def switch(self, who: StaffIdentity, mode: str) -> dict[str, Any]:
        if mode not in ("normal", "disaster"):
            raise StaffRequestRefused(Refusal.INVALID, "mode は normal か disaster を指定してください。")
        try:
            report = switch_with(self.line.api_client(), cast(Any, mode))
        except DeployError:
            raise StaffRequestRefused(
                Refusal.UNAVAILABLE,
                "LINEでリッチメニューを切り替えられませんでした。もう一度お試しください。",
            ) from None
        # The default has switched: audited before the relink starts (it records its own outcome).
        self.audit.record(who, "richmenu.switch", mode)
        try:
            self.relink.start(report.default, who.username, who.sub)
        except CivicLineError:
            self.audit.record(who, "richmenu.relink", mode, status="not_started")
            raise StaffRequestRefused(
                Refusal.UNAVAILABLE,
                "既定のメニューは切り替えましたが、他の言語の利用者のメニューの切り替えを開始できませんでした。"
                "もう一度同じモードに切り替えてください。",
            ) from None
        return {"mode": report.default, "relink": "started"}


def _relink_state(last: StaffAction) -> dict[str, Any]:
    at = last.at.isoformat()
    if last.action == "richmenu.switch":
        return {"status": "running", "mode": last.target, "since": at}
    if last.detail.get("status") == "not_started":
        return {"status": "not_started", "mode": last.target, "at": at}
    residents = last.detail.get("residents", {})
    return {"status": "done", "mode": last.target, "at": at, "residents": sum(residents.values())}


@dataclass(frozen=True)
class StaffConsole:
    """Everything the console's routers call, built once per container (`build_staff_console`)."""

    sign_in: CognitoSignIn
    broadcasts: StaffBroadcasts
    rich_menu: RichMenuModes
    audit: StaffAudit


def build_staff_console(
    env: StaffApiEnvironment,
    *,
    dynamodb: Any,
    dynamodb_wire: Any,
    lambda_: Any,
    cognito: Any,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> StaffConsole:
    """The console's services from their clients: the DynamoDB resource and plain client, Lambda (the
    planner), Cognito (sign-in)."""
    audit = StaffAudit(
        actions=DynamoStaffActions(dynamodb.Table(env.staff_actions_table)),
        data_rights=DynamoDataRightsAudit(dynamodb.Table(env.audit_table)),
        clock=clock,
    )
    ledger = DynamoBroadcasts(BroadcastsTable(dynamodb.Table(env.broadcasts_table), dynamodb_wire))
    return StaffConsole(
        sign_in=CognitoSignIn(cognito, env.staff_user_pool_client_id),
        broadcasts=StaffBroadcasts(
            planner=PlannerFunction(lambda_, env.broadcast_planner_function),
            ledger=ledger,
            audit=audit,
            test_recipients=tuple(env.test_recipients),
            clock=clock,
        ),
        rich_menu=RichMenuModes(
            line=LineApi(env),
            audit=audit,
            relink=RelinkFunction(lambda_, env.richmenu_relink_function),
        ),
        audit=audit,
    )
