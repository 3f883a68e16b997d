"""Simple pictograms for the tiles, drawn as masks in a unit square.

Each icon is drawn 4× larger and scaled down, because Pillow draws polygons without anti-aliasing.
A mask is 255 where the pictogram is and 0 elsewhere; the renderer paints it in the tile's colour on
a white disc, so the icons read at a glance and need no font.
"""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image, ImageDraw

SUPERSAMPLE = 4
INK, HOLE = 255, 0

Box = tuple[float, float, float, float]
Painter = Callable[["_Pen"], None]


class _Pen:
    """Draws in unit-square coordinates (0..1) onto a square mask."""

    def __init__(self, draw: ImageDraw.ImageDraw, side: int) -> None:
        self._draw = draw
        self._side = side

    def _px(self, value: float) -> float:
        return value * self._side

    def _box(self, box: Box) -> tuple[float, float, float, float]:
        return (self._px(box[0]), self._px(box[1]), self._px(box[2]), self._px(box[3]))

    def polygon(self, points: list[tuple[float, float]], fill: int = INK) -> None:
        self._draw.polygon([(self._px(x), self._px(y)) for x, y in points], fill=fill)

    def rectangle(self, box: Box, fill: int = INK, radius: float = 0.0) -> None:
        self._draw.rounded_rectangle(self._box(box), radius=self._px(radius), fill=fill)

    def ellipse(self, box: Box, fill: int = INK) -> None:
        self._draw.ellipse(self._box(box), fill=fill)

    def line(self, points: list[tuple[float, float]], width: float, fill: int = INK) -> None:
        self._draw.line(
            [(self._px(x), self._px(y)) for x, y in points],
            fill=fill,
            width=round(self._px(width)),
            joint="curve",
        )


def _house(pen: _Pen) -> None:
    pen.polygon([(0.12, 0.50), (0.50, 0.16), (0.88, 0.50)])
    pen.rectangle((0.24, 0.46, 0.76, 0.84))
    pen.rectangle((0.43, 0.60, 0.57, 0.84), fill=HOLE)


def _bell(pen: _Pen) -> None:
    pen.ellipse((0.45, 0.12, 0.55, 0.22))
    pen.ellipse((0.27, 0.18, 0.73, 0.62))
    pen.polygon([(0.27, 0.40), (0.73, 0.40), (0.78, 0.68), (0.22, 0.68)])
    pen.rectangle((0.14, 0.64, 0.86, 0.74), radius=0.05)
    pen.ellipse((0.42, 0.72, 0.58, 0.88))


def _document(pen: _Pen) -> None:
    pen.polygon([(0.24, 0.12), (0.60, 0.12), (0.76, 0.28), (0.76, 0.88), (0.24, 0.88)])
    pen.polygon([(0.60, 0.12), (0.60, 0.28), (0.76, 0.28)], fill=HOLE)
    for y in (0.40, 0.53, 0.66):
        pen.rectangle((0.33, y, 0.67, y + 0.05), fill=HOLE)


def _newspaper(pen: _Pen) -> None:
    pen.rectangle((0.12, 0.20, 0.88, 0.80), radius=0.04)
    pen.rectangle((0.20, 0.29, 0.48, 0.50), fill=HOLE)
    for y in (0.30, 0.43):
        pen.rectangle((0.54, y, 0.80, y + 0.06), fill=HOLE)
    for y in (0.57, 0.68):
        pen.rectangle((0.20, y, 0.80, y + 0.05), fill=HOLE)


def _warning(pen: _Pen) -> None:
    corners = [(0.50, 0.20), (0.84, 0.79), (0.16, 0.79)]
    rounding = 0.05  # LINE scales the menu down ~6×: sharp corners would look ragged
    pen.polygon(corners)
    pen.line([*corners, corners[0]], width=2 * rounding)
    for x, y in corners:
        pen.ellipse((x - rounding, y - rounding, x + rounding, y + rounding))
    pen.rectangle((0.455, 0.38, 0.545, 0.62), fill=HOLE, radius=0.03)
    pen.ellipse((0.45, 0.66, 0.55, 0.76), fill=HOLE)


def _chat(pen: _Pen) -> None:
    pen.rectangle((0.12, 0.18, 0.88, 0.68), radius=0.14)
    pen.polygon([(0.28, 0.62), (0.46, 0.62), (0.24, 0.86)])
    for x in (0.32, 0.50, 0.68):
        pen.ellipse((x - 0.055, 0.375, x + 0.055, 0.485), fill=HOLE)


def _globe(pen: _Pen) -> None:
    # A ring with a meridian and two parallels: the usual sign for "language", readable without words.
    pen.ellipse((0.12, 0.12, 0.88, 0.88))
    pen.ellipse((0.19, 0.19, 0.81, 0.81), fill=HOLE)
    pen.ellipse((0.34, 0.12, 0.66, 0.88))
    pen.ellipse((0.41, 0.19, 0.59, 0.81), fill=HOLE)
    pen.rectangle((0.465, 0.14, 0.535, 0.86))
    pen.rectangle((0.14, 0.465, 0.86, 0.535))
    for y in (0.30, 0.66):
        pen.rectangle((0.20, y, 0.80, y + 0.05))


PAINTERS: dict[str, Painter] = {
    "house": _house,
    "bell": _bell,
    "document": _document,
    "newspaper": _newspaper,
    "warning": _warning,
    "chat": _chat,
    "globe": _globe,
}


def icon_mask(name: str, side: int) -> Image.Image:
    """The pictogram `name` as an anti-aliased `side`×`side` mask."""
    big = side * SUPERSAMPLE
    mask = Image.new("L", (big, big), HOLE)
    PAINTERS[name](_Pen(ImageDraw.Draw(mask), big))
    return mask.resize((side, side), Image.Resampling.LANCZOS)


def disc_mask(side: int) -> Image.Image:
    big = side * SUPERSAMPLE
    mask = Image.new("L", (big, big), HOLE)
    ImageDraw.Draw(mask).ellipse((0, 0, big - 1, big - 1), fill=INK)
    return mask.resize((side, side), Image.Resampling.LANCZOS)
