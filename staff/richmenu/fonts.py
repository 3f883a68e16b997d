"""The font each language's labels are drawn in: Debian's Noto families, one that covers each script.

Japanese, Chinese and Korean come from fonts-noto-cjk (one .ttc, a face per region: the region picks the
glyph shapes, e.g. 直 or 骨 differ between JP and SC); Latin with Vietnamese diacritics, Devanagari and
Myanmar from fonts-noto-core. The CJK and Latin faces have Latin letters; the Devanagari and Myanmar ones
do not, so their text is drawn in runs (`runs`), Latin letters in Noto Sans: "भाषा / Language".
A new language names its typeface in LANGUAGE_TYPEFACES.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageFont

from civicline.models.language import DEFAULT_LANGUAGE, Language

FONT_PACKAGE = "fonts-noto-cjk"
CORE_FONT_PACKAGE = "fonts-noto-core"
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
CORE_FONT_DIR = Path("/usr/share/fonts/truetype/noto")
Weight = str  # "bold" (labels) or "regular" (captions)


WEIGHTS: tuple[Weight, ...] = ("bold", "regular")


@dataclass(frozen=True)
class Typeface:
    package: str
    bold: str
    regular: str
    face: str | None = None  # the face to pick inside a collection (.ttc)
    # A glyph whose middle is where the eye puts the middle of a line of this script.
    centre_glyph: str = "国"
    cjk: bool = False  # files live in FONT_DIR (fonts-noto-cjk), else CORE_FONT_DIR
    has_latin: bool = True  # else Latin letters are drawn in LATIN
    # OpenType features to lay text out with: Japanese uses proportional kana and brackets ("palt"), so
    # やさしい日本語's readings in （） take a fifth less room.
    features: tuple[str, ...] = ()

    def layout_features(self) -> list[str] | None:
        return list(self.features) or None

    def path(self, weight: Weight) -> Path:
        return (FONT_DIR if self.cjk else CORE_FONT_DIR) / (self.bold if weight == "bold" else self.regular)


def _cjk(face: str, features: tuple[str, ...] = ()) -> Typeface:
    return Typeface(
        FONT_PACKAGE,
        "NotoSansCJK-Bold.ttc",
        "NotoSansCJK-Regular.ttc",
        face=face,
        cjk=True,
        features=features,
    )


def _core(family: str, centre_glyph: str, has_latin: bool = True) -> Typeface:
    return Typeface(
        CORE_FONT_PACKAGE, f"{family}-Bold.ttf", f"{family}-Regular.ttf", None, centre_glyph, False, has_latin
    )


LATIN = _core("NotoSans", "H")
LANGUAGE_TYPEFACES: dict[Language, Typeface] = {
    Language.JA: _cjk("Noto Sans CJK JP", ("palt",)),
    Language.JA_EASY: _cjk("Noto Sans CJK JP", ("palt",)),
    Language.EN: LATIN,
    Language.ZH_HANS: _cjk("Noto Sans CJK SC"),
    Language.KO: _cjk("Noto Sans CJK KR"),
    Language.VI: LATIN,
    Language.NE: _core("NotoSansDevanagari", "क", has_latin=False),
    Language.MY: _core("NotoSansMyanmar", "က", has_latin=False),
}
FONT_PACKAGES = tuple(sorted({typeface.package for typeface in LANGUAGE_TYPEFACES.values()}))


class FontMissingError(RuntimeError):
    """A language's font is not installed, so its labels cannot be drawn."""


def typeface(lang: str = DEFAULT_LANGUAGE) -> Typeface:
    return LANGUAGE_TYPEFACES[Language(lang)]


def _is_latin(character: str) -> bool:
    # Basic Latin to Latin Extended-B, and Latin Extended Additional (Vietnamese letters such as ẹ).
    return ord(character) < 0x0250 or 0x1E00 <= ord(character) <= 0x1EFF


def runs(text: str, lang: str = DEFAULT_LANGUAGE) -> list[tuple[str, Typeface]]:
    """`text` cut where the typeface changes: Latin letters, digits and ASCII punctuation in LATIN when
    the language's face has none. Spaces stay with the run they are in."""
    face = typeface(lang)
    if face.has_latin:
        return [(text, face)]
    pieces: list[tuple[str, Typeface]] = []
    for character in text:
        wanted = LATIN if _is_latin(character) else face
        if character.isspace() and pieces:
            wanted = pieces[-1][1]
        if pieces and pieces[-1][1] == wanted:
            pieces[-1] = (pieces[-1][0] + character, wanted)
        else:
            pieces.append((character, wanted))
    return pieces


def font_path(weight: Weight, lang: str = DEFAULT_LANGUAGE) -> Path:
    return _path(typeface(lang), weight)


def _path(face: Typeface, weight: Weight) -> Path:
    path = face.path(weight)
    if not path.is_file():
        raise FontMissingError(
            f"{path} is missing: install Debian's {face.package} package "
            f"(apt-get install -y {face.package}; `make setup` does it)"
        )
    return path


def fonts_available(lang: str | None = None) -> bool:
    """Whether `lang`'s fonts (all languages' when None) are installed."""
    languages = [Language(lang)] if lang else list(Language)
    faces = {typeface(language) for language in languages} | {LATIN}
    return all(face.path(weight).is_file() for face in faces for weight in WEIGHTS)


def font(weight: Weight, size: int, lang: str = DEFAULT_LANGUAGE) -> ImageFont.FreeTypeFont:
    """The language's own face (for Latin runs of a face without Latin, see `runs` and `face_font`)."""
    return face_font(typeface(lang), weight, size)


@cache
def face_font(face: Typeface, weight: Weight, size: int) -> ImageFont.FreeTypeFont:
    path = _path(face, weight)
    if face.face is None:
        return ImageFont.truetype(str(path), size)
    for index in range(16):
        try:
            candidate = ImageFont.truetype(str(path), size, index=index)
        except OSError:  # past the collection's last face
            break
        if candidate.getname()[0] == face.face:
            return candidate
    raise FontMissingError(f"{path} has no {face.face} face; reinstall {face.package}")
