"""The ward's rich menus on LINE: deploy both, switch the default between 通常 and 防災, read the mode.

One implementation for `make richmenu MODE=...` (staff/richmenu/deploy.py) and the staff console's
リッチメニュー page (functions/staff_api): `switch_with` / `apply_mode` deploy (normal) or switch
(disaster), and `current_with` reads which of our menus is everyone's default.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast
from urllib.parse import urlparse

from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    CreateRichMenuAliasRequest,
    MessagingApi,
    MessagingApiBlob,
    UpdateRichMenuAliasRequest,
)

from civicline.richmenu.definition import (
    MAX_IMAGE_BYTES,
    MenuKey,
    RichMenu,
    RichMenus,
    rich_menus,
)

# Real LINE serves images from api-data.line.me; the SDK knows each operation's host when given none.
LINE_HOSTS = frozenset({"api.line.me", "api-data.line.me"})
# (connect, read) seconds; the SDK has no default. Reads allow for a 1 MB image upload.
LINE_TIMEOUT = (3.05, 30.0)

ResultT = TypeVar("ResultT")


class DeployError(Exception):
    """A deploy step failed; the message says which and what LINE answered (never a token)."""


@dataclass
class DeployReport:
    menu_ids: dict[MenuKey, str]
    default: MenuKey
    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{key}: {rich_menu_id}" for key, rich_menu_id in self.menu_ids.items()]
        lines.append(f"default: {self.default} ({self.menu_ids[self.default]})")
        lines.append(f"created {len(self.created)}, deleted {len(self.deleted)} older menus")
        return "\n".join(lines)


class RichMenuDeployer:
    """Keeps LINE's rich menus in step with the definition through line-bot-sdk."""

    def __init__(self, api: MessagingApi, blob: MessagingApiBlob, menus: RichMenus) -> None:
        self._api = api
        self._blob = blob
        self._menus = menus

    def deploy(self, default: MenuKey = "normal") -> DeployReport:
        previous = [menu_id for menu_id, _ in self._our_menus()]
        created: dict[MenuKey, str] = {}
        try:
            for menu in self._menus.all():
                created[menu.key] = self._create(menu)
        except DeployError:
            self._delete_quietly(list(created.values()))
            raise
        self._point_aliases(created)
        self._call(f"set the default menu to {default}", self._api.set_default_rich_menu, created[default])
        for menu_id in previous:
            self._call("delete an older menu", self._api.delete_rich_menu, menu_id)
        return DeployReport(
            menu_ids=created, default=default, created=list(created.values()), deleted=previous
        )

    def switch(self, default: MenuKey) -> DeployReport:
        """Make `default` everyone's menu; deploy first if our menus are not (all) there."""
        current = self._current_menu_ids()
        if current is None:
            return self.deploy(default)
        self._call(f"set the default menu to {default}", self._api.set_default_rich_menu, current[default])
        return DeployReport(menu_ids=current, default=default)

    def current_default(self) -> MenuKey | None:
        """The key of our menu that is everyone's default, or None."""
        try:
            default = self._api.get_default_rich_menu_id(_request_timeout=LINE_TIMEOUT).rich_menu_id
        except ApiException as error:
            if error.status == 404:  # no default menu at all
                return None
            raise DeployError(f"could not read the default menu: LINE answered {error.status}") from error
        current = self._current_menu_ids() or {}
        return next((key for key, menu_id in current.items() if menu_id == default), None)

    # --- steps ------------------------------------------------------------------------------------

    def _our_menus(self) -> list[tuple[str, str]]:
        listing = self._call("list rich menus", self._api.get_rich_menu_list)
        return [
            (menu.rich_menu_id, menu.name)
            for menu in listing.richmenus
            if menu.name.startswith(self._menus.name_prefix)
        ]

    def _create(self, menu: RichMenu) -> str:
        image = _image(menu)
        response = self._call(
            f"create the {menu.key} menu", self._api.create_rich_menu, menu.to_line_request()
        )
        menu_id: str = response.rich_menu_id
        self._call(
            f"upload the {menu.key} image",
            self._blob.set_rich_menu_image,
            menu_id,
            image,
            _headers={"Content-Type": "image/png"},  # the SDK sends bytes without a type otherwise
        )
        return menu_id

    def _point_aliases(self, menu_ids: dict[MenuKey, str]) -> None:
        listing = self._call("list rich menu aliases", self._api.get_rich_menu_alias_list)
        existing = {alias.rich_menu_alias_id for alias in listing.aliases}
        for key, menu_id in menu_ids.items():
            alias_id = self._menus[key].alias_id
            if alias_id in existing:
                self._call(
                    f"point alias {alias_id}",
                    self._api.update_rich_menu_alias,
                    alias_id,
                    UpdateRichMenuAliasRequest(rich_menu_id=menu_id),
                )
            else:
                self._call(
                    f"create alias {alias_id}",
                    self._api.create_rich_menu_alias,
                    CreateRichMenuAliasRequest(rich_menu_alias_id=alias_id, rich_menu_id=menu_id),
                )

    def _current_menu_ids(self) -> dict[MenuKey, str] | None:
        """Our live menus by key, found through their aliases; None unless both are there."""
        ours = {menu_id for menu_id, _ in self._our_menus()}
        listing = self._call("list rich menu aliases", self._api.get_rich_menu_alias_list)
        targets = {alias.rich_menu_alias_id: alias.rich_menu_id for alias in listing.aliases}
        current: dict[MenuKey, str] = {}
        for menu in self._menus.all():
            menu_id = targets.get(menu.alias_id)
            if menu_id not in ours:
                return None
            current[menu.key] = cast(str, menu_id)
        return current

    def _delete_quietly(self, menu_ids: list[str]) -> None:
        """Best effort after a failed deploy; anything left is removed by the next run."""
        for menu_id in menu_ids:
            with contextlib.suppress(ApiException):
                self._api.delete_rich_menu(menu_id, _request_timeout=LINE_TIMEOUT)

    @staticmethod
    def _call(step: str, method: Callable[..., ResultT], *args: object, **kwargs: object) -> ResultT:
        try:
            return method(*args, _request_timeout=LINE_TIMEOUT, **kwargs)
        except ApiException as error:
            raise DeployError(
                f"could not {step}: LINE answered {error.status} {_line_message(error)}"
            ) from error


def _line_message(error: ApiException) -> str:
    try:
        return str(json.loads(error.body or "{}").get("message", "")) or str(error.reason)
    except ValueError:
        return str(error.reason)


def _image(menu: RichMenu) -> bytes:
    path: Path = menu.image_path
    if not path.is_file():
        raise DeployError(f"{path} is missing: run `python -m staff.richmenu.render` and commit the image")
    data = path.read_bytes()
    if len(data) > MAX_IMAGE_BYTES:
        raise DeployError(f"{path} is {len(data)} bytes; LINE accepts at most {MAX_IMAGE_BYTES}")
    return data


def sdk_host(host: str | None) -> str | None:
    """None for LINE itself: the SDK then sends each call to its own host (api.line.me, api-data)."""
    return None if host is not None and urlparse(host).hostname in LINE_HOSTS else host


def switch_with(client: ApiClient, mode: MenuKey, menus: RichMenus | None = None) -> DeployReport:
    """normal: (re)deploy both menus with normal as default; disaster: switch the default (deploying
    first if our menus are missing)."""
    deployer = RichMenuDeployer(MessagingApi(client), MessagingApiBlob(client), menus or rich_menus())
    return deployer.deploy("normal") if mode == "normal" else deployer.switch(mode)


def current_with(client: ApiClient, menus: RichMenus | None = None) -> MenuKey | None:
    """Which of our menus is everyone's default; None when neither is (not deployed, or another menu)."""
    deployer = RichMenuDeployer(MessagingApi(client), MessagingApiBlob(client), menus or rich_menus())
    return deployer.current_default()


def apply_mode(mode: MenuKey, host: str | None, token: str, menus: RichMenus | None = None) -> DeployReport:
    """`switch_with` through a client of its own (the CLI's way: one run, one token)."""
    with ApiClient(Configuration(host=sdk_host(host), access_token=token)) as client:
        return switch_with(client, mode, menus)
