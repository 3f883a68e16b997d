"""Noto Sans CJK JP, from Debian's fonts-noto-cjk: Japanese labels need a font that has the glyphs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

FONT_PACKAGE = "fonts-noto-cjk"
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FILES = {"bold": "NotoSansCJK-Bold.ttc", "regular": "NotoSansCJK-Regular.ttc"}
# A .ttc holds one face per region; the Japanese one has Japanese glyph shapes (e.g. 直, 骨).
JAPANESE_FACE = "Noto Sans CJK JP"


class FontMissingError(RuntimeError):
    """The CJK font is not installed, so labels cannot be drawn."""


def font_path(weight: str) -> Path:
    path = FONT_DIR / FONT_FILES[weight]
    if not path.is_file():
        raise FontMissingError(
            f"{path} is missing: install Debian's {FONT_PACKAGE} package "
            f"(apt-get install -y {FONT_PACKAGE}; `make setup` does it)"
        )
    return path


def fonts_available() -> bool:
    return all((FONT_DIR / name).is_file() for name in FONT_FILES.values())


@cache
def font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    path = font_path(weight)
    for index in range(16):
        try:
            face = ImageFont.truetype(str(path), size, index=index)
        except OSError:  # past the collection's last face
            break
        if face.getname()[0] == JAPANESE_FACE:
            return face
    raise FontMissingError(f"{path} has no {JAPANESE_FACE} face; reinstall {FONT_PACKAGE}")
