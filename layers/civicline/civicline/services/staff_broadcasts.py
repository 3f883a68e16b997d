"""The staff console's broadcasts: sent, scheduled, tested and cancelled through the planner with the
CLI's events (`make broadcast`, cancel), read from the ledger as `make report` reads them, each action
audited under the signed-in staff.

The console never plans, scans residents or sends: it checks the request, names the broadcast, asks
BroadcastPlannerFunction and turns the planner's errors into refusals staff can act on.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from pydantic import ValidationError

from civicline.domain.broadcast.errors import BroadcastNotFound
from civicline.models.broadcast.report import BroadcastReport
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.staff import StaffIdentity
from civicline.models.validation import validation_details
from civicline.services.staff_audit import StaffAudit
from civicline.services.staff_refusals import Refusal, StaffRequestRefused
from civicline.ward_time import ward_time

# Fields the console decides, never the page: the id, a dry run (its own route), the test recipients.
SERVER_FIELDS = ("broadcast_id", "dry_run", "test_user_ids")
LIST_LIMIT = 50


class Planner(Protocol):
    def ask(self, event: dict[str, Any]) -> dict[str, Any]: ...


class BroadcastReports(Protocol):
    def report(self, broadcast_id: str) -> BroadcastReport: ...

    def recent(self, limit: int) -> list[BroadcastReport]: ...


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
