"""The committed rich menu images fit LINE's rules and are what the renderer draws from the definition."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from civicline.richmenu.definition import RichMenu, rich_menus
from staff.richmenu import fonts, render
from staff.richmenu.fonts import FONT_PACKAGE, fonts_available
from staff.richmenu.render import render_png, tile_layouts

LINE_MAX_IMAGE_BYTES = 1_000_000  # LINE says "1 MB"; the decimal reading is the safe one
MENUS = rich_menus().all()
# Pixels whose colour moved by more than this (0-255, any channel) count as changed. Anti-aliasing
# differs slightly between FreeType builds; a moved tile, a new colour or a changed word does not.
CHANNEL_TOLERANCE = 48
MAX_CHANGED_SHARE = 0.0001  # ~420 pixels: one changed kana in a caption is ~1,000

needs_font = pytest.mark.skipif(
    not fonts_available(), reason=f"Noto Sans CJK missing: install {FONT_PACKAGE}"
)


@pytest.fixture(params=MENUS, ids=lambda menu: menu.key)
def menu(request: pytest.FixtureRequest) -> RichMenu:
    menu: RichMenu = request.param
    return menu


def _committed(menu: RichMenu) -> Image.Image:
    image = Image.open(menu.image_path)
    image.load()
    return image


def test_committed_image_is_a_png_of_the_menu_size_within_line_limits(menu: RichMenu) -> None:
    # Given the committed image of a menu
    assert menu.image_path.is_file(), "run `python -m staff.richmenu.render` and commit the images"
    # Then LINE accepts it: PNG, the size the menu declares, at most 1 MB
    image = _committed(menu)
    assert image.format == "PNG"
    assert image.size == (menu.size.width, menu.size.height)
    assert menu.image_path.stat().st_size <= LINE_MAX_IMAGE_BYTES


def test_each_tile_is_painted_in_its_colour_where_the_definition_puts_it(menu: RichMenu) -> None:
    # Given the committed image, When sampling just inside each area's corners (past the gutter and the
    # rounded corner), Then the pixel is the tile's colour: the picture matches the tappable areas
    image = _committed(menu).convert("RGB")
    inset = menu.gutter + 40
    for area in menu.areas:
        b = area.bounds
        expected = tuple(int(area.colour[i : i + 2], 16) for i in (1, 3, 5))
        for x, y in ((b.x + inset, b.y + inset), (b.right - inset, b.bottom - inset)):
            pixel = image.getpixel((x, y))
            assert isinstance(pixel, tuple)
            assert all(abs(p - e) <= 3 for p, e in zip(pixel, expected, strict=True)), (area.tile_id, pixel)


def test_gutters_between_tiles_are_white(menu: RichMenu) -> None:
    image = _committed(menu).convert("RGB")
    for area in menu.areas:
        b = area.bounds
        if b.right < menu.size.width:
            assert image.getpixel((b.right, b.y + b.height // 2)) == (255, 255, 255), area.tile_id


@needs_font
def test_rendering_the_definition_reproduces_the_committed_image(menu: RichMenu) -> None:
    # Given the definition as it is now, When it is rendered
    rendered = Image.open(io.BytesIO(render_png(menu))).convert("RGB")

    # Then it is the committed image (up to anti-aliasing): nobody changed one without the other
    committed = _committed(menu).convert("RGB")
    assert rendered.size == committed.size
    red, green, blue = ImageChops.difference(rendered, committed).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    changed = sum(largest.histogram()[CHANNEL_TOLERANCE + 1 :])
    share = changed / (committed.width * committed.height)
    assert share <= MAX_CHANGED_SHARE, f"{share:.4%} of pixels differ: run `python -m staff.richmenu.render`"


@needs_font
def test_rendering_is_deterministic(menu: RichMenu) -> None:
    assert render_png(menu) == render_png(menu)


@needs_font
def test_labels_are_drawn_large_enough_to_read_on_a_phone(menu: RichMenu) -> None:
    # LINE shows the 2500 px wide menu across a phone (~375 pt), so 1 pt ≈ 6.7 px; 14 pt labels are
    # comfortably readable, captions at least 8 pt.
    for layout in tile_layouts(menu).values():
        assert layout.label_size >= 14 * 2500 / 375 * 0.95
        assert layout.caption_size >= 8 * 2500 / 375 * 0.95


def test_render_names_the_font_package_when_the_font_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a machine without Noto Sans CJK
    monkeypatch.setattr(fonts, "FONT_DIR", tmp_path / "no-fonts")
    fonts.face_font.cache_clear()
    try:
        # When the images are rendered
        code = render.main(["--out", str(tmp_path / "out")])
    finally:
        fonts.face_font.cache_clear()
    # Then it fails, telling which Debian package to install, and writes nothing
    assert code == 1
    assert FONT_PACKAGE in capsys.readouterr().err
    assert not list((tmp_path / "out").glob("*.png"))
