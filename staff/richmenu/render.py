"""Draw the rich menu images from the definition: `python -m staff.richmenu.render [--out DIR]`.

One image per language and menu (images/<lang>/<menu>.png). Each tile is a rounded block in its colour
with a pictogram on a white disc, the label in the language's Noto face (fonts.py) Bold and a caption in
Regular, all white on a colour dark enough for WCAG AA contrast (checked by the definition tests).
Labels of same-sized tiles share one font size, the largest that fits them all, so the grid reads
evenly; a label too wide goes onto two lines first. The output is deterministic for a given Pillow and
font: the committed PNGs are this script's output.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from civicline.models.language import DEFAULT_LANGUAGE
from civicline.richmenu.definition import IMAGES_DIR, MAX_IMAGE_BYTES, Area, RichMenu, all_rich_menus
from staff.richmenu.fonts import FontMissingError, face_font, font, runs, typeface
from staff.richmenu.icons import disc_mask, icon_mask

BACKGROUND = "#FFFFFF"
TEXT = "#FFFFFF"
CORNER_RADIUS = 28
# Proportions of a tile, tuned by eye on a phone: the label is the thing residents read.
LABEL_OF_HEIGHT, LABEL_OF_WIDTH = 0.19, 0.15
ICON_OF_SIDE, MIN_ICON_OF_SIDE = 0.30, 0.20
CAPTION_OF_LABEL, MIN_CAPTION = 0.56, 56
SIDE_PADDING_OF_WIDTH = 0.055
GLYPH_OF_DISC = 0.68
PALETTE_COLOURS = 256
SHAPE_TOLERANCE = 20


LINE_SPACING = 1.18  # of the font size, between the two lines of a wrapped label or caption
MAX_LINES = 2
BLOCK_OF_HEIGHT = 0.92  # the icon, label and caption leave this much of the tile's height at most
MIN_SIZE, SIZE_STEP = 10, 2
# Where a label or caption may break onto a second line: after a space, a slash or a closing bracket
# (やさしい日本語 puts readings in （）: "防災（ぼうさい）" must not be split inside them).
BREAK_AFTER = re.compile(r"(?<=[ /）)、・])|(?=（)")


@dataclass(frozen=True)
class TileLayout:
    label_size: int
    caption_size: int
    icon_side: int
    label_lines: tuple[str, ...] = ()
    caption_lines: tuple[str, ...] = ()

    def block_height(self) -> float:
        """Icon, label lines and caption lines with their gaps, as _draw_tile stacks them."""
        icon_gap, caption_gap = _gaps(self.label_size)
        label = self.label_size * (1 + LINE_SPACING * (len(self.label_lines) - 1))
        caption = self.caption_size * (1 + LINE_SPACING * (len(self.caption_lines) - 1))
        return self.icon_side + icon_gap + label + caption_gap + caption


def _gaps(label_size: int) -> tuple[int, int]:
    return round(label_size * 0.45), round(label_size * 0.3)


def _text_width(text: str, weight: str, size: int, lang: str = DEFAULT_LANGUAGE) -> float:
    return sum(
        face_font(face, weight, size).getlength(run, features=face.layout_features())
        for run, face in runs(text, lang)
    )


def wrapped(text: str, weight: str, size: int, width: float, lang: str) -> tuple[str, ...] | None:
    """`text` on one line, else on two broken where the wider line is narrowest; None if it cannot fit."""
    if _text_width(text, weight, size, lang) <= width:
        return (text,)
    best: tuple[float, tuple[str, ...]] | None = None
    for match in BREAK_AFTER.finditer(text):
        lines = (text[: match.start()].strip(), text[match.start() :].strip())
        if not all(lines):
            continue
        widest = max(_text_width(line, weight, size, lang) for line in lines)
        if widest <= width and (best is None or widest < best[0]):
            best = (widest, lines)
    return best[1] if best else None


def _largest_fitting(text: str, weight: str, ceiling: int, width: float, lang: str) -> int:
    size = ceiling
    while size > MIN_SIZE and wrapped(text, weight, size, width, lang) is None:
        size -= SIZE_STEP
    return size


def _lines(text: str, weight: str, size: int, width: float, lang: str) -> tuple[str, ...]:
    return wrapped(text, weight, size, width, lang) or (text,)


def tile_layouts(menu: RichMenu) -> dict[str, TileLayout]:
    """Font and icon sizes per tile; tiles of the same size share the smallest label among them.

    A label or caption too wide for its tile goes onto two lines (at a space, slash or bracket) before
    its size drops; the label keeps the larger size, and the whole block stays inside the tile.
    """
    lang = menu.lang
    by_shape: dict[tuple[int, int], list[Area]] = defaultdict(list)
    for area in menu.areas:
        # Grid cells differ by a pixel where the width does not divide evenly; they are one shape.
        by_shape[
            (round(area.bounds.width / SHAPE_TOLERANCE), round(area.bounds.height / SHAPE_TOLERANCE))
        ].append(area)
    layouts = {}
    for areas in by_shape.values():
        width = min(area.bounds.width for area in areas)
        height = min(area.bounds.height for area in areas)
        usable = width * (1 - 2 * SIDE_PADDING_OF_WIDTH)
        largest_icon = int(min(width, height) * ICON_OF_SIDE)
        smallest_icon = int(min(width, height) * MIN_ICON_OF_SIDE)
        label_size = min(
            _largest_fitting(area.label, "bold", _label_ceiling(width, height), usable, lang)
            for area in areas
        )
        while True:
            caption_ceiling = max(MIN_CAPTION, int(label_size * CAPTION_OF_LABEL))
            caption_size = min(
                _largest_fitting(area.caption, "regular", caption_ceiling, usable, lang) for area in areas
            )
            shape = {
                area.tile_id: TileLayout(
                    label_size,
                    caption_size,
                    0,
                    _lines(area.label, "bold", label_size, usable, lang),
                    _lines(area.caption, "regular", caption_size, usable, lang),
                )
                for area in areas
            }
            # Two-line labels and captions take their room from the icon first, then from the type.
            room = height * BLOCK_OF_HEIGHT - max(layout.block_height() for layout in shape.values())
            icon_side = min(largest_icon, int(room))
            if icon_side >= smallest_icon or label_size <= MIN_SIZE:
                shape = {tile: replace(layout, icon_side=icon_side) for tile, layout in shape.items()}
                break
            label_size -= SIZE_STEP
        layouts.update(shape)
    return layouts


def _label_ceiling(width: int, height: int) -> int:
    return int(min(height * LABEL_OF_HEIGHT, width * LABEL_OF_WIDTH))


def _line_centre(face: ImageFont.FreeTypeFont, lang: str) -> float:
    """Distance from baseline up to the middle of the script's typical glyph (a kanji, H, क, က), to
    centre lines on what the eye sees rather than on the font's ascent and descent."""
    _, top, _, bottom = face.getbbox(typeface(lang).centre_glyph, anchor="ls")
    return -(top + bottom) / 2


def _draw_icon(image: Image.Image, area: Area, centre: tuple[int, int], side: int) -> None:
    left, top = centre[0] - side // 2, centre[1] - side // 2
    image.paste(BACKGROUND, (left, top, left + side, top + side), disc_mask(side))
    glyph = round(side * GLYPH_OF_DISC)
    offset = (side - glyph) // 2
    image.paste(
        area.colour,
        (left + offset, top + offset, left + offset + glyph, top + offset + glyph),
        icon_mask(area.icon, glyph),
    )


def _draw_lines(  # noqa: PLR0917 - one line of text: where, in what, how large
    draw: ImageDraw.ImageDraw,
    lines: tuple[str, ...],
    weight: str,
    size: int,
    centre_x: int,
    top: float,
    lang: str,
) -> float:
    """Draw `lines` centred from `top`, run by run on one baseline; return where the last line ends."""
    centre = _line_centre(font(weight, size, lang), lang)
    for index, line in enumerate(lines):
        baseline = top + index * size * LINE_SPACING + size / 2 + centre
        x = centre_x - _text_width(line, weight, size, lang) / 2
        for run, face in runs(line, lang):
            run_font, features = face_font(face, weight, size), face.layout_features()
            draw.text((x, baseline), run, font=run_font, fill=TEXT, anchor="ls", features=features)
            x += run_font.getlength(run, features=features)
    return top + size * (1 + LINE_SPACING * (len(lines) - 1))


def _draw_tile(image: Image.Image, area: Area, layout: TileLayout, gutter: int, lang: str) -> None:
    draw = ImageDraw.Draw(image)
    half = gutter / 2
    bounds = area.bounds
    draw.rounded_rectangle(
        (bounds.x + half, bounds.y + half, bounds.right - half - 1, bounds.bottom - half - 1),
        radius=CORNER_RADIUS,
        fill=area.colour,
    )
    icon_gap, caption_gap = _gaps(layout.label_size)
    centre_x = bounds.x + bounds.width // 2
    top = bounds.y + (bounds.height - round(layout.block_height())) // 2

    _draw_icon(image, area, (centre_x, top + layout.icon_side // 2), layout.icon_side)
    label_top = top + layout.icon_side + icon_gap
    label_bottom = _draw_lines(draw, layout.label_lines, "bold", layout.label_size, centre_x, label_top, lang)
    _draw_lines(
        draw,
        layout.caption_lines,
        "regular",
        layout.caption_size,
        centre_x,
        label_bottom + caption_gap,
        lang,
    )


def render(menu: RichMenu) -> Image.Image:
    image = Image.new("RGB", (menu.size.width, menu.size.height), BACKGROUND)
    layouts = tile_layouts(menu)
    for area in menu.areas:
        _draw_tile(image, area, layouts[area.tile_id], menu.gutter, menu.lang)
    return image


def png_bytes(image: Image.Image) -> bytes:
    """An optimised PNG. Flat colours and anti-aliased edges fit a 256-colour palette without visible loss."""
    palette = image.quantize(
        colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", optimize=True)
    data = buffer.getvalue()
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"rendered PNG is {len(data)} bytes; LINE accepts at most {MAX_IMAGE_BYTES}")
    return data


def render_png(menu: RichMenu) -> bytes:
    return png_bytes(render(menu))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m staff.richmenu.render", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--out", type=Path, default=IMAGES_DIR, help=f"folder for <lang>/<menu>.png (default {IMAGES_DIR})"
    )
    args = parser.parse_args(argv)
    try:
        for menus in all_rich_menus():
            for menu in menus.all():
                data = render_png(menu)
                path = args.out / menu.lang / f"{menu.key}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                print(f"{path}: {menu.size.width}x{menu.size.height}, {len(data):,} bytes")
    except FontMissingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
