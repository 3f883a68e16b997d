"""Which menu a resident sees after a language change, and how the 防災 switch reaches every resident
whatever their language: relinked in bulk, at the fewest calls LINE allows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest

from civicline.domain.errors import LineUnavailable
from civicline.domain.residents.menus import LINE_BULK_LINK_MAX, bulk_link_batches, minimum_calls
from civicline.models.language import Language
from civicline.richmenu.definition import MenuKey, all_rich_menus, rich_menus
from civicline.richmenu.deployer import DeployReport
from civicline.services.richmenu_mode import RETRIES, ResidentMenus, RichMenuModeSwitch

MENU_IDS = {menu.alias_id: f"richmenu-{menu.alias_id}" for pair in all_rich_menus() for menu in pair.all()}


class FakeLinks:
    """LINE's per-user links as a dict; counts the bulk calls and can fail the first few."""

    def __init__(self, failures: int = 0) -> None:
        self.linked: dict[str, str] = {}
        self.default: str | None = MENU_IDS[rich_menus().normal.alias_id]
        self.bulk_calls: list[tuple[str, int]] = []
        self.failures = failures

    def link_user(self, user_id: str, rich_menu_id: str) -> None:
        self.linked[user_id] = rich_menu_id

    def unlink_user(self, user_id: str) -> None:
        self.linked.pop(user_id, None)

    def link_users(self, rich_menu_id: str, user_ids: Sequence[str]) -> None:
        if self.failures:
            self.failures -= 1
            raise LineUnavailable("link_rich_menu_id_to_users: HTTP 429")
        assert 1 <= len(user_ids) <= LINE_BULK_LINK_MAX
        self.bulk_calls.append((rich_menu_id, len(user_ids)))
        for user_id in user_ids:
            self.linked[user_id] = rich_menu_id

    def menu_of_alias(self, alias_id: str) -> str:
        return MENU_IDS[alias_id]

    def default_menu(self) -> str | None:
        return self.default


class Residents:
    def __init__(self, residents: list[tuple[str, Language]]) -> None:
        self.residents = residents

    def residents_reading_other_languages(self) -> Iterable[tuple[str, Language]]:
        return iter(self.residents)


def _menu(language: Language, mode: MenuKey) -> str:
    return MENU_IDS[rich_menus(language)[mode].alias_id]


def _residents(counts: dict[Language, int]) -> list[tuple[str, Language]]:
    # Interleaved, as a Scan returns them: the batching must not rely on order.
    pool = [(f"U{lang.value}-{n}", lang) for lang, count in counts.items() for n in range(count)]
    return sorted(pool, key=lambda resident: hash(resident[0]) % 997)


def _service(links: FakeLinks) -> ResidentMenus:
    return ResidentMenus(links, sleep=lambda _: None, rate=1e9, concurrency=4)


def test_a_resident_choosing_english_sees_the_english_menu_of_the_current_mode() -> None:
    # Given the ward in 通常 mode, When a resident chooses English
    links = FakeLinks()
    _service(links).link_resident("U1", Language.EN)
    # Then the English normal menu is linked to them
    assert links.linked["U1"] == _menu(Language.EN, "normal")

    # Given the ward in 防災 mode, When another resident chooses Nepali
    links.default = MENU_IDS[rich_menus().disaster.alias_id]
    _service(links).link_resident("U2", Language.NE)
    # Then they see the Nepali disaster menu at once
    assert links.linked["U2"] == _menu(Language.NE, "disaster")


def test_a_resident_returning_to_japanese_is_unlinked_and_sees_the_default() -> None:
    links = FakeLinks()
    _service(links).link_resident("U1", Language.VI)
    _service(links).link_resident("U1", Language.JA)
    assert "U1" not in links.linked


def test_batches_are_per_language_full_and_as_few_as_line_allows() -> None:
    # Given 1,201 English, 500 Korean and 3 Burmese readers mixed together, and Japanese ones
    counts = {Language.EN: 1201, Language.KO: 500, Language.MY: 3}
    residents = _residents({**counts, Language.JA: 50})
    # When cut into bulk calls
    batches = list(bulk_link_batches(residents))
    # Then every resident but the Japanese is in exactly one batch of their own language
    seen = [user for _, users in batches for user in users]
    assert sorted(seen) == sorted(user for user, lang in residents if lang != Language.JA)
    assert all(user.startswith(f"U{lang.value}-") for lang, users in batches for user in users)
    # And the calls are Σ⌈N_lang/500⌉: 3 + 1 + 1
    assert len(batches) == minimum_calls(counts) == 5


def test_the_disaster_switch_relinks_every_resident_to_their_language_and_back() -> None:
    # Given residents reading four languages, each linked to their language's normal menu
    counts = {Language.ZH_HANS: 730, Language.KO: 20, Language.NE: 501, Language.JA_EASY: 1}
    residents = _residents(counts)
    links = FakeLinks()
    for user, lang in residents:
        links.linked[user] = _menu(lang, "normal")
    defaults: list[MenuKey] = []

    def apply(mode: MenuKey) -> DeployReport:
        defaults.append(mode)
        links.default = MENU_IDS[rich_menus()[mode].alias_id]
        return DeployReport(menu_ids=MENU_IDS, default=mode, default_menu_id=links.default)

    switch = RichMenuModeSwitch(apply, Residents(residents), _service(links))

    # When staff switch to 防災
    _, report = switch.switch("disaster")

    # Then the default is switched, and every resident sees their own language's disaster menu
    assert defaults == ["disaster"]
    assert all(links.linked[user] == _menu(lang, "disaster") for user, lang in residents)
    # And it took the fewest bulk calls: ⌈730/500⌉ + 1 + ⌈501/500⌉ + 1 = 6, one menu per call
    assert report.calls == len(links.bulk_calls) == report.minimum_calls == 6
    assert dict(report.residents) == counts

    # When staff switch back, Then each resident's language menu is restored
    switch.switch("normal")
    assert all(links.linked[user] == _menu(lang, "normal") for user, lang in residents)


def test_a_bulk_call_refused_for_the_rate_is_tried_again() -> None:
    links = FakeLinks(failures=2)
    report = _service(links).relink_everyone("disaster", _residents({Language.EN: 3}))
    assert links.linked == {f"Uen-{n}": _menu(Language.EN, "disaster") for n in range(3)}
    assert report.retries == 2
    assert report.calls == 1


def test_a_relink_gives_up_when_line_stays_unavailable() -> None:
    links = FakeLinks(failures=RETRIES + 1)
    with pytest.raises(LineUnavailable):
        _service(links).relink_everyone("disaster", _residents({Language.EN: 3}))
