"""Rich menus, their images, the default menu, per-user links and aliases, kept as LINE keeps them."""

from __future__ import annotations

import io
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from devstack.fake_line import limits
from devstack.fake_line.wire import NOT_FOUND, LineApiError

IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
NEEDS_IMAGE = "must upload richmenu image before applying it to user"


@dataclass
class _RichMenu:
    body: dict[str, Any]
    image: tuple[str, bytes] | None = None


class RichMenuStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._menus: dict[str, _RichMenu] = {}
        self._default: str | None = None
        self._user_links: dict[str, str] = {}
        self._aliases: dict[str, str] = {}

    def clear(self) -> None:
        with self._lock:
            self._menus.clear()
            self._default = None
            self._user_links.clear()
            self._aliases.clear()

    # --- menus ------------------------------------------------------------------------------------

    def create(self, request_body: dict[str, Any]) -> str:
        rich_menu_id = f"richmenu-{secrets.token_hex(16)}"
        with self._lock:
            if len(self._menus) >= limits.MAX_RICH_MENUS:
                raise LineApiError(400, f"Too many rich menus (limit: {limits.MAX_RICH_MENUS})")
            self._menus[rich_menu_id] = _RichMenu({"richMenuId": rich_menu_id, **request_body})
        return rich_menu_id

    def get(self, rich_menu_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._menu(rich_menu_id).body)

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(menu.body) for menu in self._menus.values()]

    def delete(self, rich_menu_id: str) -> None:
        with self._lock:
            self._menu(rich_menu_id)
            del self._menus[rich_menu_id]
            if self._default == rich_menu_id:
                self._default = None
            self._user_links = {u: m for u, m in self._user_links.items() if m != rich_menu_id}

    def _menu(self, rich_menu_id: str) -> _RichMenu:
        menu = self._menus.get(rich_menu_id)
        if menu is None:
            raise LineApiError(404, NOT_FOUND)
        return menu

    def _menu_with_image(self, rich_menu_id: str) -> _RichMenu:
        menu = self._menu(rich_menu_id)
        if menu.image is None:
            raise LineApiError(400, NEEDS_IMAGE)
        return menu

    # --- images -----------------------------------------------------------------------------------

    def set_image(self, rich_menu_id: str, content_type: str | None, data: bytes) -> None:
        media_type = (content_type or "").split(";", 1)[0].strip().lower()
        if media_type not in IMAGE_FORMATS:
            raise LineApiError(415, "Unsupported Media Type: the image must be image/png or image/jpeg")
        if len(data) > limits.RICH_MENU_IMAGE_MAX_BYTES:
            raise LineApiError(413, "Request Entity Too Large: the image must be at most 1 MB")
        dimensions = _image_dimensions(data, IMAGE_FORMATS[media_type])
        with self._lock:
            menu = self._menu(rich_menu_id)
            if menu.image is not None:
                raise LineApiError(400, "An image has already been uploaded to the richmenu")
            size = menu.body.get("size") or {}
            if dimensions != (size.get("width"), size.get("height")):
                raise LineApiError(400, "The image size must be the same as the rich menu's size")
            menu.image = (media_type, data)

    def image(self, rich_menu_id: str) -> tuple[str, bytes]:
        with self._lock:
            image = self._menu(rich_menu_id).image
        if image is None:
            raise LineApiError(404, NOT_FOUND)
        return image

    # --- default menu and per-user links ----------------------------------------------------------

    def set_default(self, rich_menu_id: str) -> None:
        with self._lock:
            self._menu_with_image(rich_menu_id)
            self._default = rich_menu_id

    def default(self) -> str:
        with self._lock:
            if self._default is None:
                raise LineApiError(404, "no default richmenu")
            return self._default

    def clear_default(self) -> None:
        with self._lock:
            self._default = None

    def link_user(self, user_id: str, rich_menu_id: str) -> None:
        with self._lock:
            self._menu_with_image(rich_menu_id)
            self._user_links[user_id] = rich_menu_id

    def link_users(self, user_ids: list[str], rich_menu_id: str) -> None:
        """Bulk link (LINE does it asynchronously and answers 202; here it is done when answered)."""
        with self._lock:
            self._menu_with_image(rich_menu_id)
            for user_id in user_ids:
                self._user_links[user_id] = rich_menu_id

    def unlink_users(self, user_ids: list[str]) -> None:
        with self._lock:
            for user_id in user_ids:
                self._user_links.pop(user_id, None)

    def links(self) -> dict[str, str]:
        """Every per-user link (user id → menu id), for tests and benchmarks."""
        with self._lock:
            return dict(self._user_links)

    def unlink_user(self, user_id: str) -> None:
        with self._lock:
            self._user_links.pop(user_id, None)

    def menu_of_user(self, user_id: str) -> str:
        with self._lock:
            rich_menu_id = self._user_links.get(user_id)
        if rich_menu_id is None:
            raise LineApiError(404, "the user has no richmenu")
        return rich_menu_id

    # --- aliases ----------------------------------------------------------------------------------

    def create_alias(self, alias_id: str, rich_menu_id: str) -> None:
        with self._lock:
            if alias_id in self._aliases:
                raise LineApiError(400, "conflict richmenu alias id")
            if len(self._aliases) >= limits.MAX_RICH_MENU_ALIASES:
                raise LineApiError(400, "The number of rich menu aliases exceeds the limit")
            self._alias_target(rich_menu_id)
            self._aliases[alias_id] = rich_menu_id

    def update_alias(self, alias_id: str, rich_menu_id: str) -> None:
        with self._lock:
            self._alias(alias_id)
            self._alias_target(rich_menu_id)
            self._aliases[alias_id] = rich_menu_id

    def alias(self, alias_id: str) -> dict[str, str]:
        with self._lock:
            return {"richMenuAliasId": alias_id, "richMenuId": self._alias(alias_id)}

    def aliases(self) -> list[dict[str, str]]:
        with self._lock:
            return [{"richMenuAliasId": a, "richMenuId": m} for a, m in self._aliases.items()]

    def delete_alias(self, alias_id: str) -> None:
        with self._lock:
            self._alias(alias_id)
            del self._aliases[alias_id]

    def _alias(self, alias_id: str) -> str:
        rich_menu_id = self._aliases.get(alias_id)
        if rich_menu_id is None:
            raise LineApiError(404, "richmenu alias not found")
        return rich_menu_id

    def _alias_target(self, rich_menu_id: str) -> None:
        if rich_menu_id not in self._menus:
            raise LineApiError(400, "richmenu not found")
        if self._menus[rich_menu_id].image is None:
            raise LineApiError(400, "richmenu image not found")


def _image_dimensions(data: bytes, expected_format: str) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format, dimensions = image.format, image.size
    except (UnidentifiedImageError, OSError) as error:
        raise LineApiError(400, "The image could not be read as PNG or JPEG") from error
    if image_format != expected_format:
        raise LineApiError(400, f"The image is not {expected_format} as its Content-Type says")
    return dimensions
