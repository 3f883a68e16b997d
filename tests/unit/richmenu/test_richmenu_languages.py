"""Every language's rich menus: the same definition, each label drawn in a font that has its script and
fitting its tile, measured with Pillow and the real fonts."""

from __future__ import annotations

import io
import unicodedata
from functools import cache

import pytest
from PIL import Image, ImageChops, ImageFont

from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.richmenu.definition import PostbackAction, RichMenu, all_rich_menus, rich_menus
from staff.richmenu.fonts import CORE_FONT_PACKAGE, FONT_PACKAGE, face_font, fonts_available, runs
from staff.richmenu.render import SIDE_PADDING_OF_WIDTH, render_png, tile_layouts

MENUS = [menu for menus in all_rich_menus() for menu in menus.all()]
# As test_richmenu_images: anti-aliasing differs a little between FreeType builds, a changed word does not.
CHANNEL_TOLERANCE, MAX_CHANGED_SHARE = 48, 0.0001
MISSING_GLYPH_PROBE = "\U0010fffd"  # a private-use code point no Noto face draws: its mask is .notdef
LANGUAGE_POSTBACK = "action=language"  # what lang-chat's language choice answers (the list of languages)
# The Japanese menus keep 14 pt labels on a phone (test_richmenu_images). Words that run long (readings
# in やさしい日本語, Burmese written without spaces) take two lines where they can, and never drop below
# 10 pt for labels and 8 pt for captions (LINE draws the 2500 px menu ~375 pt wide).
PX_PER_PT = 2500 / 375
MIN_LABEL_PX, MIN_CAPTION_PX = 10 * PX_PER_PT, 8 * PX_PER_PT * 0.95

needs_fonts = pytest.mark.skipif(
    not fonts_available(), reason=f"Noto fonts missing: install {FONT_PACKAGE} and {CORE_FONT_PACKAGE}"
)


@pytest.fixture(params=MENUS, ids=lambda menu: f"{menu.lang}-{menu.key}")
def menu(request: pytest.FixtureRequest) -> RichMenu:
    menu: RichMenu = request.param
    return menu


def _ink_width(text: str, weight: str, size: int, lang: str) -> float:
    """The drawn width of a line, run by run, as Pillow lays it out (the ink, not the advance)."""
    width = 0.0
    pieces = runs(text, lang)
    for index, (run, face) in enumerate(pieces):
        font, features = face_font(face, weight, size), face.layout_features()
        if index == len(pieces) - 1:
            left, _, right, _ = font.getbbox(run.rstrip() or run, features=features)
            width += right - min(left, 0)
        else:
            width += font.getlength(run, features=features)
    return width


def _letters(lines: list[str] | tuple[str, ...]) -> str:
    return "".join(lines).replace(" ", "")


@cache
def _notdef(font: ImageFont.FreeTypeFont) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(MISSING_GLYPH_PROBE)
    return mask.size, bytes(mask)


def _has_glyph(font: ImageFont.FreeTypeFont, character: str) -> bool:
    mask = font.getmask(character)
    return (mask.size, bytes(mask)) != _notdef(font)


def test_every_language_has_both_menus_with_its_own_aliases() -> None:
    # Given the deployment's menus, Then there is a normal and a disaster menu per language, each with
    # its own alias and name (the default language keeps the plain ones everyone's default points at)
    by_lang = {menus.lang: menus for menus in all_rich_menus()}
    assert set(by_lang) == set(Language)
    aliases = [menu.alias_id for menu in MENUS]
    assert len(set(aliases)) == len(aliases) == 2 * len(Language)
    assert len({menu.name for menu in MENUS}) == len(MENUS)
    assert rich_menus().normal.alias_id == "civicline-normal"
    assert rich_menus(Language.EN).normal.alias_id == "civicline-normal-en"
    assert rich_menus(Language.ZH_HANS).disaster.alias_id == "civicline-disaster-zh-hans"


def test_every_menu_offers_the_language_tile_with_one_postback_for_all_languages(menu: RichMenu) -> None:
    # Given any language's menu, When a resident taps 「言語 / Language」
    (tile,) = (area for area in menu.areas if area.tile_id == "language")
    # Then the chat receives the same postback whatever the menu's language (the chat answers it with the
    # list of languages, each written in itself), and the label names it in English too, so a resident
    # who cannot read the current language finds it
    assert isinstance(tile.action, PostbackAction)
    assert tile.action.data == LANGUAGE_POSTBACK
    assert "Language" in tile.label


def test_the_menus_differ_between_languages_only_in_words() -> None:
    # Given the default language's menus and another's, Then the tiles, their places and actions' targets
    # are the same: one definition, translated
    ja = rich_menus(DEFAULT_LANGUAGE)
    for menus in all_rich_menus():
        for key in ("normal", "disaster"):
            mine, theirs = menus[key], ja[key]
            assert [(a.tile_id, a.bounds, a.colour, a.icon) for a in mine.areas] == [
                (a.tile_id, a.bounds, a.colour, a.icon) for a in theirs.areas
            ]
            assert [a.action.type for a in mine.areas] == [a.action.type for a in theirs.areas]


@needs_fonts
def test_every_label_and_caption_fits_its_tile_in_every_language(menu: RichMenu) -> None:
    # Given the layout the renderer computes for the menu in its language
    layouts = tile_layouts(menu)
    for area in menu.areas:
        layout = layouts[area.tile_id]
        width = area.bounds.width * (1 - 2 * SIDE_PADDING_OF_WIDTH)
        # Then the label and caption are drawn whole, on at most two lines
        assert _letters(layout.label_lines) == _letters([area.label]), area.tile_id
        assert _letters(layout.caption_lines) == _letters([area.caption]), area.tile_id
        assert len(layout.label_lines) <= 2
        assert len(layout.caption_lines) <= 2
        # And each line, measured with the real font, fits the tile's width inside its padding
        for line in layout.label_lines:
            assert _ink_width(line, "bold", layout.label_size, menu.lang) <= width, (area.tile_id, line)
        for line in layout.caption_lines:
            assert _ink_width(line, "regular", layout.caption_size, menu.lang) <= width, (area.tile_id, line)
        # And icon, label and caption together fit the tile's height inside the gutter
        assert layout.block_height() <= area.bounds.height - menu.gutter, area.tile_id
        # And the type stays readable on a phone
        assert layout.label_size >= MIN_LABEL_PX, (area.tile_id, layout.label_size)
        assert layout.caption_size >= MIN_CAPTION_PX, (area.tile_id, layout.caption_size)


@needs_fonts
def test_every_character_is_drawn_by_a_font_that_has_it(menu: RichMenu) -> None:
    # Given every label and caption of the menu, When cut into the runs the renderer draws
    for area in menu.areas:
        for text in (area.label, area.caption):
            for run, face in runs(text, menu.lang):
                font = face_font(face, "bold", 40)
                # Then no character falls back to the empty box (.notdef)
                missing = [
                    c
                    for c in run
                    if not c.isspace() and unicodedata.category(c) != "Cf" and not _has_glyph(font, c)
                ]
                assert not missing, (area.tile_id, text, missing)


@needs_fonts
@pytest.mark.parametrize("lang", list(Language), ids=str)
def test_each_language_renders_its_own_menus(lang: Language) -> None:
    # Given a language's menus, When rendered
    for menu in rich_menus(lang).all():
        rendered = Image.open(io.BytesIO(render_png(menu))).convert("RGB")
        # Then each is an image of the menu's size, and it is the committed one for that language (up to
        # anti-aliasing): nobody changed a catalogue's words without redrawing (`make richmenu-images`)
        assert rendered.size == (menu.size.width, menu.size.height)
        assert menu.image_path.is_file(), "run `make richmenu-images` and commit the images"
        committed = Image.open(menu.image_path).convert("RGB")
        red, green, blue = ImageChops.difference(rendered, committed).split()
        largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
        changed = sum(largest.histogram()[CHANNEL_TOLERANCE + 1 :]) / (committed.width * committed.height)
        assert changed <= MAX_CHANGED_SHARE, f"{menu.key}: {changed:.4%} differ: run `make richmenu-images`"
        # And it is not the Japanese picture: the words are the language's own
        if lang != DEFAULT_LANGUAGE:
            assert menu.image_path.read_bytes() != rich_menus()[menu.key].image_path.read_bytes()
