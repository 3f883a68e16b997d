"""RichMenuRelinkFunction's service: after the console's switch, every resident reading another language
sees their language's menu of the ward's mode — whatever order the switches' runs arrive in, and audited
under the member of staff who switched."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from tests.unit.richmenu.test_resident_menus import MENU_IDS, FakeLinks, Residents, _menu, _service

from civicline.models.language import Language
from civicline.models.staff import StaffAction
from civicline.richmenu.definition import MenuKey, rich_menus
from civicline.services.richmenu_relink import RichMenuRelink

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
EDITOR = {"username": "editor@example.jp", "sub": "sub-editor"}
READERS = [("U-en", Language.EN), ("U-vi", Language.VI), ("U-my", Language.MY), ("U-en2", Language.EN)]


class Actions:
    def __init__(self) -> None:
        self.recorded: list[StaffAction] = []

    def record(self, action: StaffAction) -> None:
        self.recorded.append(action)


def _in_mode(links: FakeLinks, mode: MenuKey) -> None:
    links.default = MENU_IDS[rich_menus()[mode].alias_id]


def _relink(links: FakeLinks, residents: Residents | None = None) -> tuple[RichMenuRelink, Actions]:
    actions = Actions()
    service = RichMenuRelink(
        residents=residents or Residents(READERS),
        menus=_service(links),
        actions=actions,
        clock=lambda: NOW,
    )
    return service, actions


def test_after_the_switch_to_disaster_each_reader_of_another_language_sees_their_disaster_menu() -> None:
    # Given the console switched the default to 防災
    links = FakeLinks()
    _in_mode(links, "disaster")
    service, actions = _relink(links)
    # When the relink runs
    outcome = service.handle({"mode": "disaster", "requestedBy": EDITOR})
    # Then each resident sees their language's disaster menu, in one bulk call per language
    assert links.linked == {user: _menu(lang, "disaster") for user, lang in READERS}
    assert len(links.bulk_calls) == 3
    # And the outcome is audited under the editor who switched, with counts only
    (action,) = actions.recorded
    assert (action.action, action.target, action.actor.username) == (
        "richmenu.relink",
        "disaster",
        "editor@example.jp",
    )
    assert action.detail == {
        "requested": "disaster",
        "residents": {"en": 2, "my": 1, "vi": 1},
        "calls": 3,
        "rounds": 1,
    }
    assert outcome["mode"] == "disaster"
    assert "U-en" not in str(action.model_dump())


def test_a_relink_delivered_twice_links_the_same_menus_again() -> None:
    links = FakeLinks()
    _in_mode(links, "disaster")
    service, _ = _relink(links)
    service.handle({"mode": "disaster", "requestedBy": EDITOR})
    first = dict(links.linked)
    # When Lambda delivers the same event again
    service.handle({"mode": "disaster", "requestedBy": EDITOR})
    # Then nothing differs
    assert links.linked == first


def test_a_late_relink_of_disaster_after_staff_switched_back_links_the_normal_menus() -> None:
    # Given staff switched to 防災 and back to 通常 before the first relink ran
    links = FakeLinks()
    _in_mode(links, "normal")
    service, actions = _relink(links)
    # When the 防災 switch's relink arrives late
    service.handle({"mode": "disaster", "requestedBy": EDITOR})
    # Then residents see the menus of the mode LINE shows now: 通常
    assert links.linked == {user: _menu(lang, "normal") for user, lang in READERS}
    assert actions.recorded[0].target == "normal"
    assert actions.recorded[0].detail["requested"] == "disaster"


class SwitchedMidway(Residents):
    """Staff switch back to 通常 while the first round is reading the residents."""

    def __init__(self, residents: list[tuple[str, Language]], links: FakeLinks) -> None:
        super().__init__(residents)
        self.links = links
        self.rounds = 0

    def residents_reading_other_languages(self) -> Iterable[tuple[str, Language]]:
        self.rounds += 1
        return self._stream()

    def _stream(self) -> Iterator[tuple[str, Language]]:
        yield from self.residents
        if self.rounds == 1:
            _in_mode(self.links, "normal")


def test_a_switch_back_while_relinking_goes_round_again_to_the_new_mode() -> None:
    links = FakeLinks()
    _in_mode(links, "disaster")
    service, actions = _relink(links, SwitchedMidway(READERS, links))
    service.handle({"mode": "disaster", "requestedBy": EDITOR})
    # Then the run ends with everyone on the menus of the mode staff chose last
    assert links.linked == {user: _menu(lang, "normal") for user, lang in READERS}
    assert actions.recorded[0].detail["rounds"] == 2


def test_an_event_without_a_mode_or_the_staff_member_is_refused() -> None:
    links = FakeLinks()
    service, actions = _relink(links)
    with pytest.raises(ValidationError):
        service.handle({"mode": "disaster"})
    with pytest.raises(ValidationError):
        service.handle({"mode": "flood", "requestedBy": EDITOR})
    assert links.linked == {}
    assert actions.recorded == []
