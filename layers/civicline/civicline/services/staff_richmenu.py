"""The staff console's rich-menu mode (通常 / 防災): read and switched with civicline.richmenu.deployer,
the code `make richmenu MODE=...` runs, the relinking of residents of other languages started in
RichMenuRelinkFunction, and what the page shows of that relinking (the audit's last switch or relink).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, cast

from civicline.adapters.line.client import LineApi
from civicline.domain.errors import CivicLineError
from civicline.models.staff import StaffAction, StaffIdentity
from civicline.richmenu.deployer import DeployError, current_with, switch_with
from civicline.services.staff_audit import StaffAudit
from civicline.services.staff_refusals import Refusal, StaffRequestRefused


class RelinkStarter(Protocol):
    """RichMenuRelinkFunction started asynchronously (adapters.relink_function)."""

    def start(self, mode: str, username: str, sub: str) -> None: ...


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
