"""The rich menu definition keeps LINE's rules and offers what the issue asks of each menu."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from civicline.models.city import load_city
from civicline.richmenu.definition import (
    MENUS_FILE,
    Area,
    Bounds,
    PostbackAction,
    RichMenu,
    RichMenuDefinitionError,
    RichMenus,
    SwitchAction,
    UriAction,
    load_menus,
    rich_menus,
)

# LINE's rules, written out here rather than imported, so a loosened constant cannot pass its own test.
LINE_ALIAS_ID = re.compile(r"^[a-z0-9_-]{1,32}$")
LINE_SIZES = {(2500, 1686), (2500, 843)}
LINE_MAX_AREAS, LINE_MAX_LABEL, LINE_MAX_CHAT_BAR, LINE_MAX_DATA = 20, 20, 14, 300

# The tiles: label → (action type, where it leads).
CITY_LINKS = load_city().links
REQUIRED_TILES: dict[str, tuple[str, str]] = {
    "区ホームページ": ("uri", str(CITY_LINKS.homepage)),
    "受信設定": ("postback", "action=settings"),
    "電子申請": ("postback", "action=apply_menu"),
    "広報新宿": ("uri", str(CITY_LINKS.koho)),
    "防災情報": ("uri", str(CITY_LINKS.bousai)),
    "お問い合わせ": ("uri", str(CITY_LINKS.contact)),
}


@pytest.fixture(scope="module")
def menus() -> RichMenus:
    return load_menus()


@pytest.fixture(params=["normal", "disaster"])
def menu(request: pytest.FixtureRequest, menus: RichMenus) -> RichMenu:
    return menus[request.param]


def _target(area: Area) -> tuple[str, str]:
    match area.action:
        case UriAction(uri=uri):
            return ("uri", uri)
        case PostbackAction(data=data) | SwitchAction(data=data):
            return (area.action.type, data)


# --- LINE's rules ----------------------------------------------------------------------------------------


def test_size_is_one_line_offers_for_full_width_menus(menu: RichMenu) -> None:
    assert (menu.size.width, menu.size.height) in LINE_SIZES


def test_at_most_20_areas_all_inside_the_image(menu: RichMenu) -> None:
    assert 1 <= len(menu.areas) <= LINE_MAX_AREAS
    for area in menu.areas:
        b = area.bounds
        assert min(b.x, b.y) >= 0
        assert min(b.width, b.height) > 0
        assert b.x + b.width <= menu.size.width
        assert b.y + b.height <= menu.size.height


def test_areas_do_not_overlap_and_cover_the_whole_image(menu: RichMenu) -> None:
    # Given the areas of a menu, Then no two share a pixel and every pixel is tappable (no dead zones)
    bounds = [area.bounds for area in menu.areas]
    for i, first in enumerate(bounds):
        for second in bounds[i + 1 :]:
            assert not first.overlaps(second), (first, second)
    assert sum(b.width * b.height for b in bounds) == menu.size.width * menu.size.height


def test_labels_and_chat_bar_text_fit_line_limits(menu: RichMenu) -> None:
    assert 1 <= len(menu.chat_bar_text) <= LINE_MAX_CHAT_BAR
    for area in menu.areas:
        assert 1 <= len(area.label) <= LINE_MAX_LABEL
        assert area.action.label == area.label


def test_chat_bar_texts_are_the_catalogue_wording(menus: RichMenus) -> None:
    assert menus.normal.chat_bar_text == "メニュー"
    assert menus.disaster.chat_bar_text == "防災メニュー"


def test_uris_are_https_and_postback_data_short_ascii(menu: RichMenu) -> None:
    for area in menu.areas:
        match area.action:
            case UriAction(uri=uri):
                assert uri.startswith("https://")
                assert len(uri) <= 1000
            case PostbackAction(data=data, display_text=display_text):
                assert len(data) <= LINE_MAX_DATA
                assert data.isascii()
                assert 1 <= len(display_text) <= 300
            case SwitchAction(data=data, alias_id=alias_id):
                assert len(data) <= LINE_MAX_DATA
                assert LINE_ALIAS_ID.fullmatch(alias_id)


def test_alias_ids_follow_line_pattern_and_differ(menus: RichMenus) -> None:
    aliases = [menu.alias_id for menu in menus.all()]
    assert all(LINE_ALIAS_ID.fullmatch(alias) for alias in aliases)
    assert len(set(aliases)) == 2


def test_menu_names_carry_the_prefix_the_deploy_cleans_up_by(menus: RichMenus) -> None:
    names = [menu.name for menu in menus.all()]
    assert all(name.startswith(menus.name_prefix) and len(name) <= 300 for name in names)
    assert len(set(names)) == 2


def test_line_bot_sdk_accepts_the_request(menu: RichMenu) -> None:
    # Given the menu as line-bot-sdk's model, Then the JSON LINE receives carries every area unchanged
    request = menu.to_line_request()
    body = request.to_dict()
    assert body["chatBarText"] == menu.chat_bar_text
    assert body["size"] == {"width": menu.size.width, "height": menu.size.height}
    assert [a["bounds"] for a in body["areas"]] == [area.bounds.model_dump() for area in menu.areas]
    assert [a["action"]["type"] for a in body["areas"]] == [area.action.type for area in menu.areas]


# --- what the issue asks of the menus --------------------------------------------------------------------


def test_both_menus_offer_every_required_tile_with_the_right_action(menu: RichMenu) -> None:
    offered = {area.label: _target(area) for area in menu.areas}
    for label, target in REQUIRED_TILES.items():
        assert offered.get(label) == target, label


def test_disaster_menu_puts_bousai_first_and_largest(menus: RichMenus) -> None:
    first, *others = menus.disaster.areas
    assert first.label == "防災情報"
    assert (first.bounds.x, first.bounds.y) == (0, 0)
    assert all(
        first.bounds.width * first.bounds.height > 2 * o.bounds.width * o.bounds.height for o in others
    )


def test_residents_cannot_switch_themselves_into_disaster_mode(menus: RichMenus) -> None:
    # A per-resident switch would hide the default staff choose; only staff switch (deploy --mode).
    for menu in menus.all():
        assert not any(isinstance(area.action, SwitchAction) for area in menu.areas)


def test_urls_come_from_the_city_configuration() -> None:
    # Given a city whose bousai page moved
    city = load_city()
    moved = city.model_copy(
        update={"links": city.links.model_copy(update={"bousai": "https://example.jp/b"})}
    )

    # When the menus are loaded for it, Then the 防災情報 tile leads there in both menus
    for menu in load_menus(city=moved).all():
        (bousai,) = (area for area in menu.areas if area.tile_id == "bousai")
        assert _target(bousai) == ("uri", "https://example.jp/b")


def test_tile_colours_keep_white_text_readable(menu: RichMenu) -> None:
    # WCAG 2.1 AA for normal text (4.5:1); the renderer writes labels and captions in white.
    for area in menu.areas:
        assert _contrast_with_white(area.colour) >= 4.5, area.tile_id


def test_rich_menus_is_cached_and_equal_to_a_fresh_load(menus: RichMenus) -> None:
    assert rich_menus() is rich_menus()
    assert rich_menus() == menus


# --- broken definitions are refused ------------------------------------------------------------------------


def _definition() -> dict[str, Any]:
    return yaml.safe_load(MENUS_FILE.read_text(encoding="utf-8"))


def _load_edited(tmp_path: Path, definition: dict[str, Any]) -> RichMenus:
    path = tmp_path / "menus.yaml"
    path.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    return load_menus(path)


def _edit_alias(d: dict[str, Any]) -> None:
    d["menus"]["normal"]["alias"] = "Civicline Normal"


def _edit_same_aliases(d: dict[str, Any]) -> None:
    d["menus"]["disaster"]["alias"] = d["menus"]["normal"]["alias"]


def _edit_outside_grid(d: dict[str, Any]) -> None:
    d["menus"]["normal"]["tiles"][0]["at"] = [3, 0]


def _edit_overlap(d: dict[str, Any]) -> None:
    d["menus"]["normal"]["tiles"][1]["at"] = [0, 0]


def _edit_too_many_tiles(d: dict[str, Any]) -> None:
    tile = d["menus"]["normal"]["tiles"][0]
    d["menus"]["normal"]["grid"] = {"columns": 7, "rows": 3}
    d["menus"]["normal"]["tiles"] = [{**tile, "id": f"t{i}", "at": [i % 7, i // 7]} for i in range(21)]


def _edit_long_postback(d: dict[str, Any]) -> None:
    d["menus"]["normal"]["tiles"][1]["action"]["data"] = "a" * 301


def _edit_narrow_image(d: dict[str, Any]) -> None:
    d["size"] = {"width": 2500, "height": 2500}


def _edit_unknown_link(d: dict[str, Any]) -> None:
    d["menus"]["normal"]["tiles"][0]["action"]["link"] = "nowhere"


def _edit_missing_menu(d: dict[str, Any]) -> None:
    del d["menus"]["disaster"]


def _edit_unlabelled_tile(d: dict[str, Any]) -> None:
    d["menus"]["normal"]["tiles"][0]["id"] = "no_such_label"


@pytest.mark.parametrize(
    "edit",
    [
        _edit_alias,
        _edit_same_aliases,
        _edit_outside_grid,
        _edit_overlap,
        _edit_too_many_tiles,
        _edit_long_postback,
        _edit_narrow_image,
        _edit_unknown_link,
        _edit_missing_menu,
        _edit_unlabelled_tile,
    ],
)
def test_definition_breaking_a_rule_is_refused(tmp_path: Path, edit: Any) -> None:
    # Given the real definition with one rule broken
    definition = _definition()
    edit(definition)
    # When it is loaded, Then it is refused with the file named
    with pytest.raises(RichMenuDefinitionError, match=r"menus\.yaml"):
        _load_edited(tmp_path, definition)


def test_unchanged_definition_round_trips(tmp_path: Path, menus: RichMenus) -> None:
    # Guards the refusal tests above: the untouched definition loads the same menus from another path
    assert _load_edited(tmp_path, _definition()) == menus


@pytest.mark.parametrize(
    ("field", "value"),
    [("label", "あ" * 21), ("uri", "http://www.city.shinjuku.lg.jp/")],
)
def test_resolved_actions_refuse_long_labels_and_plain_http(field: str, value: str) -> None:
    action = {"label": "区ホームページ", "uri": "https://www.city.shinjuku.lg.jp/", field: value}
    with pytest.raises(ValidationError):
        UriAction.model_validate(action)


def test_menu_refuses_areas_outside_the_image_or_overlapping(menus: RichMenus) -> None:
    area = menus.normal.areas[0]
    outside = area.model_copy(update={"bounds": Bounds(x=2000, y=0, width=501, height=100)})
    with pytest.raises(ValidationError, match="outside"):
        RichMenu.model_validate({**menus.normal.model_dump(), "areas": [outside.model_dump()]})
    twice = [area.model_dump(), {**area.model_dump(), "tile_id": "copy"}]
    with pytest.raises(ValidationError, match="overlap"):
        RichMenu.model_validate({**menus.normal.model_dump(), "areas": twice})


def _contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_the_layer_module_loads_without_pillow_or_the_line_sdk() -> None:
    # The functions ship this module; Pillow is not in their layer and the SDK costs ~1 s to import.
    code = (
        "import sys, civicline.richmenu.definition as d; d.rich_menus(); "
        "assert 'PIL' not in sys.modules and 'linebot' not in sys.modules, sorted(sys.modules)"
    )
    layer = Path(__file__).resolve().parents[3] / "layers" / "civicline"
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], check=False, env={"PYTHONPATH": str(layer)}, capture_output=True
    )
    assert result.returncode == 0, result.stderr.decode()
