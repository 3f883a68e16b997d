"""The staff console's audit: every console action recorded in StaffActions under the token's identity,
and the audit route's list (staff actions with residents' data-rights requests, newest first).

Its own module because every other console service records through it (broadcasts, the rich menu,
the export routes) and the audit route reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from civicline.models.staff import StaffAction, StaffActor, StaffIdentity

AUDIT_LIMIT = 200


class StaffActionStore(Protocol):
    def record(self, action: StaffAction) -> None: ...

    def month(self, moment: datetime, limit: int) -> list[StaffAction]: ...


class DataRightsRecords(Protocol):
    def month(self, moment: datetime, limit: int) -> list[dict[str, Any]]: ...


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
