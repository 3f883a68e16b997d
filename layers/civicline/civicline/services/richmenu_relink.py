"""After the staff console switched the rich menu's mode: every resident reading another language relinked
to their language's menu of the mode (RichMenuRelinkFunction, started asynchronously by the switch).

Why a function of its own: at 1M residents the Users scan and the bulk links take minutes, longer than the
HTTP API waits (30 s). The console switches the default at once (residents of the default language see
it) and starts this; only this function may scan Users for it (template.yaml).

Idempotent and order-proof: the menus linked are those of the ward's mode as LINE shows it now, never the
event's (an invocation delivered twice, late, or after staff switched back links the right menus), and
when staff switched again while it ran it goes round once more, so the last run to finish leaves the
mode's menus whatever order the runs ended in. The event's mode and staff member are for the audit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from civicline.domain.residents.menus import ResidentLanguages
from civicline.models.staff import StaffAction, StaffActor
from civicline.richmenu.definition import MenuKey
from civicline.services.richmenu_mode import RelinkReport, ResidentMenus

# A switch back and forth while a run goes on sends it round again; staff switching faster than a
# relink takes, more often than this, is left to the runs their own switches started.
MAX_ROUNDS = 3


class RelinkRequest(BaseModel):
    """What the console's switch sends: `{"mode", "requestedBy": {"username", "sub"}}`."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    mode: MenuKey
    requested_by: StaffActor = Field(alias="requestedBy")


class StaffActionRecorder(Protocol):
    def record(self, action: StaffAction) -> None: ...


@dataclass(frozen=True)
class RichMenuRelink:
    residents: ResidentLanguages
    menus: ResidentMenus
    actions: StaffActionRecorder
    clock: Callable[[], datetime]

    def handle(self, event: Any) -> dict[str, Any]:
        request = RelinkRequest.model_validate(event)
        mode = self.menus.mode()
        reports: list[RelinkReport] = []
        for _ in range(MAX_ROUNDS):
            reports.append(
                self.menus.relink_everyone(mode, self.residents.residents_reading_other_languages())
            )
            now = self.menus.mode()
            if now == mode:
                break
            mode = now
        last = reports[-1]
        outcome = {
            "mode": mode,
            "requested": request.mode,
            "residents": {str(lang): count for lang, count in sorted(last.residents.items())},
            "calls": sum(report.calls for report in reports),
            "rounds": len(reports),
        }
        self.actions.record(
            StaffAction(
                at=self.clock(),
                actor=request.requested_by,
                action="richmenu.relink",
                target=mode,
                detail={key: value for key, value in outcome.items() if key != "mode"},
            )
        )
        return outcome
