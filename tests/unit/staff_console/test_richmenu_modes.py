"""The console's rich-menu switch: the default at once, the relinking of residents of other languages
started asynchronously, and what the page shows of it (the audit's last switch or relink)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from tests.unit.staff_api.staff_api_fakes import FakeActions, FakeDataRights, FakeRelinks

from civicline.domain.errors import StoreUnavailable
from civicline.models.staff import Role, StaffAction, StaffActor, StaffIdentity
from civicline.richmenu.deployer import DeployReport
from civicline.services import staff_richmenu
from civicline.services.staff_audit import StaffAudit
from civicline.services.staff_refusals import StaffRequestRefused
from civicline.services.staff_richmenu import RichMenuModes

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
EDITOR = StaffIdentity(sub="sub-editor", username="editor@example.jp", roles=frozenset({Role.EDITOR}))


class Line:
    def api_client(self) -> object:
        return object()


class Unreachable(FakeRelinks):
    def start(self, mode: str, username: str, sub: str) -> None:
        raise StoreUnavailable("Lambda.invoke(richmenu relink) failed: ServiceException")


@pytest.fixture
def ward(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """LINE as the deployer sees it: the default's mode, switched by switch_with."""
    state: dict[str, Any] = {"mode": "normal"}

    def switch_with(client: object, mode: str) -> DeployReport:
        state["mode"] = mode
        return DeployReport(menu_ids={}, default=mode, default_menu_id=f"richmenu-{mode}")  # type: ignore[arg-type]

    monkeypatch.setattr(staff_richmenu, "switch_with", switch_with)
    monkeypatch.setattr(staff_richmenu, "current_with", lambda client: state["mode"])
    return state


def _modes(
    relinks: FakeRelinks, actions: FakeActions, clock: Callable[[], datetime] = lambda: NOW
) -> RichMenuModes:
    audit = StaffAudit(actions=actions, data_rights=FakeDataRights(), clock=clock)
    return RichMenuModes(line=Line(), audit=audit, relink=relinks)  # type: ignore[arg-type]


def test_a_switch_answers_at_once_and_starts_relinking_under_the_editors_name(ward: dict[str, Any]) -> None:
    relinks, actions = FakeRelinks(), FakeActions()
    # When an editor switches to 防災
    answer = _modes(relinks, actions).switch(EDITOR, "disaster")
    # Then the default switched, and the relink was started with the mode and the editor
    assert answer == {"mode": "disaster", "relink": "started"}
    assert relinks.started == [{"mode": "disaster", "username": "editor@example.jp", "sub": "sub-editor"}]
    assert [(a.action, a.target) for a in actions.recorded] == [("richmenu.switch", "disaster")]
    # And the page shows the relink running since the switch
    assert _modes(relinks, actions).mode() == {
        "mode": "disaster",
        "relink": {"status": "running", "mode": "disaster", "since": NOW.isoformat()},
    }


def test_the_page_shows_the_relink_done_with_its_count_once_the_function_recorded_it(
    ward: dict[str, Any],
) -> None:
    relinks, actions = FakeRelinks(), FakeActions()
    _modes(relinks, actions).switch(EDITOR, "disaster")
    # When RichMenuRelinkFunction records its outcome
    actions.record(
        StaffAction(
            at=NOW + timedelta(minutes=3),
            actor=StaffActor(username="editor@example.jp", sub="sub-editor"),
            action="richmenu.relink",
            target="disaster",
            detail={"residents": {"en": 2, "vi": 1}, "calls": 2},
        )
    )
    # Then the page shows it done, with how many residents were relinked
    relink = _modes(relinks, actions).mode()["relink"]
    assert relink == {
        "status": "done",
        "mode": "disaster",
        "at": (NOW + timedelta(minutes=3)).isoformat(),
        "residents": 3,
    }


def test_a_relink_that_cannot_start_is_refused_plainly_and_audited(ward: dict[str, Any]) -> None:
    actions = FakeActions()
    seconds = count()
    modes = _modes(Unreachable(), actions, clock=lambda: NOW + timedelta(seconds=next(seconds)))
    # When the relink function cannot be started after the default switched
    with pytest.raises(StaffRequestRefused) as refused:
        modes.switch(EDITOR, "disaster")
    # Then staff are told to switch again (the switch is idempotent), and the audit says so
    assert "もう一度同じモードに切り替えてください" in refused.value.message
    assert [(a.action, a.target, a.detail) for a in actions.recorded] == [
        ("richmenu.switch", "disaster", {}),
        ("richmenu.relink", "disaster", {"status": "not_started"}),
    ]
    assert modes.mode()["relink"]["status"] == "not_started"
