"""A contact sheet of every language's menus, for checking them by eye and for the README:
`python -m staff.richmenu.sheet [--out docs/richmenu-languages.png]`.

Reads the committed images (render them first), one row per language: normal, then 防災モード, each
captioned with the language's own name.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image, ImageDraw

from civicline.models.language import SELF_NAMES, Language
from civicline.richmenu.definition import all_rich_menus
from staff.richmenu.fonts import FontMissingError, face_font, runs
from staff.richmenu.render import png_bytes

DEFAULT_OUT = Path("docs/richmenu-languages.png")
THUMB_WIDTH = 625  # a quarter of LINE's 2500 px, about what a phone shows
CAPTION_HEIGHT, MARGIN = 56, 16


def contact_sheet() -> Image.Image:
    rows = all_rich_menus()
    first = rows[0].normal
    thumb = (THUMB_WIDTH, round(first.size.height * THUMB_WIDTH / first.size.width))
    cell = (thumb[0] + MARGIN, thumb[1] + CAPTION_HEIGHT + MARGIN)
    sheet = Image.new("RGB", (MARGIN + 2 * cell[0], MARGIN + len(rows) * cell[1]), "#F2F2F2")
    draw = ImageDraw.Draw(sheet)
    for row, menus in enumerate(rows):
        for column, menu in enumerate(menus.all()):
            left, top = MARGIN + column * cell[0], MARGIN + row * cell[1]
            title = f"{SELF_NAMES[Language(menu.lang)]} ({menu.lang}) · {menu.key}"
            x: float = left
            for run, face in runs(title, menu.lang):
                draw.text((x, top + 8), run, font=face_font(face, "regular", 30), fill="#222222")
                x += face_font(face, "regular", 30).getlength(run)
            with Image.open(menu.image_path) as image:
                picture = image.convert("RGB").resize(thumb, Image.Resampling.LANCZOS)
            sheet.paste(picture, (left, top + CAPTION_HEIGHT))
    return sheet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m staff.richmenu.sheet", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    try:
        args.out.write_bytes(png_bytes(contact_sheet()))
    except FontMissingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
