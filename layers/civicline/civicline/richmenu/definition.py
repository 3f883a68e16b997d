"""The ward's rich menus: read from menus.yaml, checked against LINE's rules, ready to send.

A `RichMenu` is fully resolved — labels from the message catalogue, URLs from city.yaml, tappable areas
in pixels — so it is exactly what LINE receives and what `staff/richmenu/render.py` draws. Nothing
here imports Pillow, and line-bot-sdk only inside `to_line_request` (it costs ~1 s to import).

Over 300 lines on purpose: one cohesive pure unit, the menus file's schema and its resolution into
what LINE receives, checked against LINE's rules in one place (I/O: reading menus.yaml only).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from civicline import messages
from civicline.models.city import City, load_city
from civicline.models.language import DEFAULT_LANGUAGE, Language

if TYPE_CHECKING:
    from linebot.v3.messaging import RichMenuRequest

MENUS_FILE = Path(__file__).with_name("menus.yaml")
IMAGES_DIR = Path(__file__).with_name("images")

# LINE's rich menu rules (Messaging API reference, "Rich menu object" and "Rich menu alias").
ALIAS_ID_PATTERN = r"^[a-z0-9_-]{1,32}$"
MAX_AREAS = 20
MAX_ACTION_LABEL = 20
MAX_CHAT_BAR_TEXT = 14
MAX_MENU_NAME = 300
MAX_POSTBACK_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_URI = 1000
MAX_IMAGE_BYTES = 1024 * 1024
MIN_WIDTH, MAX_WIDTH, MIN_HEIGHT, MIN_ASPECT_RATIO = 800, 2500, 250, 1.45

MenuKey = Literal["normal", "disaster"]
LinkName = Literal["homepage", "koho", "bousai", "contact", "apps"]
IconName = Literal["house", "bell", "document", "newspaper", "warning", "chat", "globe"]
Colour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]
# Postback data travels back to us in webhooks and into logs: short printable ASCII only.
PostbackData = Annotated[str, Field(min_length=1, max_length=MAX_POSTBACK_DATA, pattern=r"^[\x21-\x7e]+$")]


class RichMenuDefinitionError(ValueError):
    """menus.yaml, the catalogue or city.yaml describe a menu LINE would refuse."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MenuSize(_Frozen):
    width: int = Field(ge=MIN_WIDTH, le=MAX_WIDTH)
    height: int = Field(ge=MIN_HEIGHT)

    @model_validator(mode="after")
    def _wide_enough(self) -> Self:
        if self.width / self.height < MIN_ASPECT_RATIO:
            raise ValueError(f"width/height must be at least {MIN_ASPECT_RATIO}")
        return self


class Bounds(_Frozen):
    """A tappable rectangle in image pixels, as LINE's `bounds`."""

    x: int = Field(ge=0)
    y: int = Field(ge=0)
    width: int = Field(gt=0)
    height: int = Field(gt=0)

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def inside(self, size: MenuSize) -> bool:
        return self.right <= size.width and self.bottom <= size.height

    def overlaps(self, other: Bounds) -> bool:
        return (
            self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom
        )


# --- menus.yaml as written -------------------------------------------------------------------------------


class UriActionSpec(_Frozen):
    type: Literal["uri"]
    link: LinkName


class PostbackActionSpec(_Frozen):
    type: Literal["postback"]
    data: PostbackData


class SwitchActionSpec(_Frozen):
    type: Literal["richmenuswitch"]
    menu: MenuKey
    data: PostbackData


ActionSpec = Annotated[UriActionSpec | PostbackActionSpec | SwitchActionSpec, Field(discriminator="type")]


class GridSpec(_Frozen):
    columns: int = Field(ge=1, le=MAX_AREAS)
    rows: int = Field(ge=1, le=MAX_AREAS)


class TileSpec(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    at: tuple[int, int]  # (column, row) of the top-left cell
    span: tuple[int, int] = (1, 1)  # (columns, rows)
    icon: IconName
    colour: Colour
    action: ActionSpec

    @field_validator("at")
    @classmethod
    def _not_negative(cls, at: tuple[int, int]) -> tuple[int, int]:
        if min(at) < 0:
            raise ValueError("cell coordinates start at 0")
        return at

    @field_validator("span")
    @classmethod
    def _positive(cls, span: tuple[int, int]) -> tuple[int, int]:
        if min(span) < 1:
            raise ValueError("a tile spans at least one cell each way")
        return span

    def cells(self) -> set[tuple[int, int]]:
        column, row = self.at
        columns, rows = self.span
        return {(c, r) for c in range(column, column + columns) for r in range(row, row + rows)}


class MenuSpec(_Frozen):
    alias: str = Field(pattern=ALIAS_ID_PATTERN)
    selected: bool = True
    grid: GridSpec
    tiles: tuple[TileSpec, ...] = Field(min_length=1, max_length=MAX_AREAS)

    @model_validator(mode="after")
    def _tiles_fit_the_grid(self) -> Self:
        ids = [tile.id for tile in self.tiles]
        if len(set(ids)) != len(ids):
            raise ValueError(f"tile ids repeat: {ids}")
        taken: set[tuple[int, int]] = set()
        for tile in self.tiles:
            cells = tile.cells()
            if any(c >= self.grid.columns or r >= self.grid.rows for c, r in cells):
                grid = f"{self.grid.columns}x{self.grid.rows}"
                raise ValueError(f"tile {tile.id!r} reaches outside the {grid} grid")
            if cells & taken:
                raise ValueError(f"tile {tile.id!r} overlaps another tile")
            taken |= cells
        return self


class MenusFile(_Frozen):
    size: MenuSize
    name_prefix: str = Field(min_length=1, max_length=64)
    gutter: int = Field(default=0, ge=0, le=100)
    menus: dict[MenuKey, MenuSpec]

    @model_validator(mode="after")
    def _both_menus_distinct_aliases(self) -> Self:
        if set(self.menus) != {"normal", "disaster"}:
            raise ValueError("define exactly the menus 'normal' and 'disaster'")
        aliases = [menu.alias for menu in self.menus.values()]
        if len(set(aliases)) != len(aliases):
            raise ValueError(f"aliases repeat: {aliases}")
        return self


# --- resolved menus, as LINE receives them ----------------------------------------------------------------

ActionLabel = Annotated[str, Field(min_length=1, max_length=MAX_ACTION_LABEL)]


class UriAction(_Frozen):
    type: Literal["uri"] = "uri"
    label: ActionLabel
    uri: str = Field(max_length=MAX_URI, pattern=r"^https://[^\s]+$")


class PostbackAction(_Frozen):
    type: Literal["postback"] = "postback"
    label: ActionLabel
    data: PostbackData
    # Shown in the chat as the resident's own message, so they see what they tapped.
    display_text: str = Field(min_length=1, max_length=MAX_DISPLAY_TEXT)


class SwitchAction(_Frozen):
    type: Literal["richmenuswitch"] = "richmenuswitch"
    label: ActionLabel
    alias_id: str = Field(pattern=ALIAS_ID_PATTERN)
    data: PostbackData


Action = Annotated[UriAction | PostbackAction | SwitchAction, Field(discriminator="type")]


class Area(_Frozen):
    """One tile: where it is, what it says and looks like, what a tap does."""

    tile_id: str
    label: ActionLabel
    caption: str = Field(default="", max_length=40)
    icon: IconName
    colour: Colour
    bounds: Bounds
    action: Action


class RichMenu(_Frozen):
    key: MenuKey
    lang: Language = DEFAULT_LANGUAGE
    name: str = Field(min_length=1, max_length=MAX_MENU_NAME)
    alias_id: str = Field(pattern=ALIAS_ID_PATTERN)
    chat_bar_text: str = Field(min_length=1, max_length=MAX_CHAT_BAR_TEXT)
    selected: bool
    size: MenuSize
    gutter: int = Field(ge=0)
    areas: tuple[Area, ...] = Field(min_length=1, max_length=MAX_AREAS)

    @model_validator(mode="after")
    def _areas_inside_and_apart(self) -> Self:
        for index, area in enumerate(self.areas):
            if not area.bounds.inside(self.size):
                raise ValueError(f"area {area.tile_id!r} reaches outside the {self.size} image")
            for other in self.areas[index + 1 :]:
                if area.bounds.overlaps(other.bounds):
                    raise ValueError(f"areas {area.tile_id!r} and {other.tile_id!r} overlap")
        return self

    @property
    def image_path(self) -> Path:
        return IMAGES_DIR / self.lang / f"{self.key}.png"

    def to_line_request(self) -> RichMenuRequest:
        """The menu as line-bot-sdk's request model (which checks its own share of LINE's rules)."""
        from linebot.v3 import messaging as line  # noqa: PLC0415 - only the deploy script pays for it

        def line_action(action: UriAction | PostbackAction | SwitchAction) -> line.Action:
            match action:
                case UriAction():
                    return line.URIAction(label=action.label, uri=action.uri)
                case PostbackAction():
                    return line.PostbackAction(
                        label=action.label, data=action.data, display_text=action.display_text
                    )
                case SwitchAction():
                    return line.RichMenuSwitchAction(
                        label=action.label, rich_menu_alias_id=action.alias_id, data=action.data
                    )

        return line.RichMenuRequest(
            size=line.RichMenuSize(width=self.size.width, height=self.size.height),
            selected=self.selected,
            name=self.name,
            chat_bar_text=self.chat_bar_text,
            areas=[
                line.RichMenuArea(
                    bounds=line.RichMenuBounds(
                        x=area.bounds.x, y=area.bounds.y, width=area.bounds.width, height=area.bounds.height
                    ),
                    action=line_action(area.action),
                )
                for area in self.areas
            ],
        )


def _edge(index: int, count: int, length: int) -> int:
    """Pixel position of a grid line, rounded so that neighbouring cells share an edge exactly."""
    return round(index * length / count)


def _bounds(tile: TileSpec, grid: GridSpec, size: MenuSize) -> Bounds:
    column, row = tile.at
    columns, rows = tile.span
    left, right = _edge(column, grid.columns, size.width), _edge(column + columns, grid.columns, size.width)
    top, bottom = _edge(row, grid.rows, size.height), _edge(row + rows, grid.rows, size.height)
    return Bounds(x=left, y=top, width=right - left, height=bottom - top)


def _action(
    spec: UriActionSpec | PostbackActionSpec | SwitchActionSpec,
    label: str,
    menus: MenusFile,
    city: City,
    lang: Language,
) -> UriAction | PostbackAction | SwitchAction:
    match spec:
        case UriActionSpec():
            return UriAction(label=label, uri=str(getattr(city.links, spec.link)))
        case PostbackActionSpec():
            return PostbackAction(label=label, data=spec.data, display_text=label)
        case SwitchActionSpec():
            return SwitchAction(
                label=label, alias_id=menus.menus[spec.menu].alias + language_suffix(lang), data=spec.data
            )


def language_suffix(lang: Language) -> str:
    """What tells one language's menu from another in names and aliases; none for the default language,
    whose menus are everyone's default (residents without a linked menu see them)."""
    return "" if lang == DEFAULT_LANGUAGE else f"-{lang.value.lower()}"  # alias ids are lower case


def _resolve(key: MenuKey, menus: MenusFile, city: City, lang: Language) -> RichMenu:
    spec = menus.menus[key]
    suffix = language_suffix(lang)
    areas = []
    for tile in spec.tiles:
        label = messages.text(f"richmenu.tile.{tile.id}.label", lang)
        areas.append(
            Area(
                tile_id=tile.id,
                label=label,
                caption=messages.text(f"richmenu.tile.{tile.id}.caption", lang),
                icon=tile.icon,
                colour=tile.colour,
                bounds=_bounds(tile, spec.grid, menus.size),
                action=_action(tile.action, label, menus, city, lang),
            )
        )
    return RichMenu(
        key=key,
        lang=lang,
        name=f"{menus.name_prefix}{key}{suffix}",
        alias_id=spec.alias + suffix,
        chat_bar_text=messages.text(f"richmenu.chat_bar.{key}", lang),
        selected=spec.selected,
        size=menus.size,
        gutter=menus.gutter,
        areas=tuple(areas),
    )


class RichMenus(_Frozen):
    """Both menus of one language, and the name prefix that marks the menus we own on LINE."""

    name_prefix: str
    lang: Language = DEFAULT_LANGUAGE
    normal: RichMenu
    disaster: RichMenu

    def __getitem__(self, key: MenuKey) -> RichMenu:
        return self.normal if key == "normal" else self.disaster

    def all(self) -> tuple[RichMenu, RichMenu]:
        return (self.normal, self.disaster)


def load_menus(
    path: Path = MENUS_FILE, city: City | None = None, lang: Language = DEFAULT_LANGUAGE
) -> RichMenus:
    """Both menus in `lang`, resolved and checked; any broken rule raises `RichMenuDefinitionError`."""
    try:
        menus = MenusFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        city = city or load_city()
        return RichMenus(
            name_prefix=menus.name_prefix,
            lang=lang,
            normal=_resolve("normal", menus, city, lang),
            disaster=_resolve("disaster", menus, city, lang),
        )
    except (ValueError, messages.CatalogueError) as error:  # pydantic's ValidationError is a ValueError
        raise RichMenuDefinitionError(f"{path.name}: {error}") from error


# Cached: immutable data read from the package, not a client or a setting.
@cache
def rich_menus(lang: Language = DEFAULT_LANGUAGE) -> RichMenus:
    """The deployment's menus in one language, read once per process."""
    return load_menus(lang=Language(lang))


def all_rich_menus() -> tuple[RichMenus, ...]:
    """Every language's menus, the default language first: what a deploy puts on LINE."""
    return tuple(rich_menus(lang) for lang in Language)
