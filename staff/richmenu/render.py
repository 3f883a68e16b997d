"""Draw the rich menu images from the definition: `python -m staff.richmenu.render [--out DIR]`.

Each tile is a rounded block in its colour with a pictogram on a white disc, the label in Noto Sans CJK
JP Bold and a caption in Regular, all white on a colour dark enough for WCAG AA contrast (checked by
the definition tests). Labels of same-sized tiles share one font size, the largest that fits them all,
so the grid reads evenly. The output is deterministic for a given Pillow and font: the committed PNGs
are this script's output.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from civicline.richmenu.definition import IMAGES_DIR, MAX_IMAGE_BYTES, Area, RichMenu, rich_menus
from staff.richmenu.fonts import FontMissingError, font
from staff.richmenu.icons import disc_mask, icon_mask

BACKGROUND = "#FFFFFF"
TEXT = "#FFFFFF"
CORNER_RADIUS = 28
# Proportions of a tile, tuned by eye on a phone: the label is the thing residents read.
LABEL_OF_HEIGHT, LABEL_OF_WIDTH = 0.19, 0.15
ICON_OF_SIDE = 0.30
CAPTION_OF_LABEL, MIN_CAPTION = 0.56, 56
SIDE_PADDING_OF_WIDTH = 0.055
GLYPH_OF_DISC = 0.68
PALETTE_COLOURS = 256
SHAPE_TOLERANCE = 20


@dataclass(frozen=True)
class TileLayout:
    label_size: int
    caption_size: int
    icon_side: int


def _text_width(text: str, weight: str, size: int) -> float:
    return font(weight, size).getlength(text)


def _largest_fitting(text: str, weight: str, ceiling: int, width: float) -> int:
    size = ceiling
    while size > 10 and _text_width(text, weight, size) > width:
        size -= 2
    return size


def tile_layouts(menu: RichMenu) -> dict[str, TileLayout]:
    """Font and icon sizes per tile; tiles of the same size share the smallest label among them."""
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
        ceiling = int(min(height * LABEL_OF_HEIGHT, width * LABEL_OF_WIDTH))
        label_size = min(_largest_fitting(area.label, "bold", ceiling, usable) for area in areas)
        caption_ceiling = max(MIN_CAPTION, int(label_size * CAPTION_OF_LABEL))
        caption_size = min(
            _largest_fitting(area.caption, "regular", caption_ceiling, usable) for area in areas
        )
        icon_side = int(min(width, height) * ICON_OF_SIDE)
        for area in areas:
            layouts[area.tile_id] = TileLayout(label_size, caption_size, icon_side)
    return layouts


def _ideographic_centre(face: ImageFont.FreeTypeFont) -> float:
    """Distance from baseline up to the middle of a kanji, to centre lines on what the eye sees."""
    _, top, _, bottom = face.getbbox("国", anchor="ls")
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


def _draw_tile(image: Image.Image, area: Area, layout: TileLayout, gutter: int) -> None:
    draw = ImageDraw.Draw(image)
    half = gutter / 2
    bounds = area.bounds
    draw.rounded_rectangle(
        (bounds.x + half, bounds.y + half, bounds.right - half - 1, bounds.bottom - half - 1),
        radius=CORNER_RADIUS,
        fill=area.colour,
    )
    label_face = font("bold", layout.label_size)
    caption_face = font("regular", layout.caption_size)
    icon_gap, caption_gap = round(layout.label_size * 0.45), round(layout.label_size * 0.3)
    block = layout.icon_side + icon_gap + layout.label_size + caption_gap + layout.caption_size
    centre_x = bounds.x + bounds.width // 2
    top = bounds.y + (bounds.height - block) // 2

    _draw_icon(image, area, (centre_x, top + layout.icon_side // 2), layout.icon_side)
    label_middle = top + layout.icon_side + icon_gap + layout.label_size / 2
    draw.text(
        (centre_x, label_middle + _ideographic_centre(label_face)),
        area.label,
        font=label_face,
        fill=TEXT,
        anchor="ms",
    )
    caption_middle = label_middle + layout.label_size / 2 + caption_gap + layout.caption_size / 2
    draw.text(
        (centre_x, caption_middle + _ideographic_centre(caption_face)),
        area.caption,
        font=caption_face,
        fill=TEXT,
        anchor="ms",
    )


def render(menu: RichMenu) -> Image.Image:
    image = Image.new("RGB", (menu.size.width, menu.size.height), BACKGROUND)
    layouts = tile_layouts(menu)
    for area in menu.areas:
        _draw_tile(image, area, layouts[area.tile_id], menu.gutter)
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
        "--out", type=Path, default=IMAGES_DIR, help=f"folder for <menu>.png (default {IMAGES_DIR})"
    )
    args = parser.parse_args(argv)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for menu in rich_menus().all():
            data = render_png(menu)
            path = args.out / f"{menu.key}.png"
            path.write_bytes(data)
            print(f"{path}: {menu.size.width}x{menu.size.height}, {len(data):,} bytes")
    except FontMissingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
