"""Put the ward's rich menus on LINE: `python -m staff.richmenu.deploy [--mode normal|disaster]`.

`--mode normal` (the default) creates both menus from the definition and the committed images, points
the aliases at them, makes the normal menu everyone's default, and only then deletes every older menu
whose name carries our prefix: residents never see a gap, and re-running leaves exactly two of ours
(LINE keeps at most 1,000 menus per account). `--mode disaster` only switches the default to the
防災モード menu, deploying first if our menus are missing; switching back is `--mode normal`.

Locally (`--line-host http://127.0.0.1:3001`) the dev token is used unless LINE_CHANNEL_ACCESS_TOKEN is
set. Against real LINE pass `--token-from-env` (LINE_CHANNEL_ACCESS_TOKEN) or `--secret-id` (the
stack's Secrets Manager secret, JSON `{"channelId", "channelSecret"}`: a stateless channel access token
is issued from it, as the functions do).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast, get_args
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
    RichMenuDefinitionError,
    RichMenus,
    rich_menus,
)

DEV_CHANNEL_ACCESS_TOKEN = "civicline-dev-access-token"  # noqa: S105 - the local stack's public dev token
TOKEN_ENV = "LINE_CHANNEL_ACCESS_TOKEN"  # noqa: S105 - a variable name, not a token
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Real LINE serves images from api-data.line.me; the SDK knows each operation's host when given none.
LINE_HOSTS = frozenset({"api.line.me", "api-data.line.me"})
# (connect, read) seconds; the SDK has no default. Reads allow for a 1 MB image upload.
LINE_TIMEOUT = (3.05, 30.0)
DEFAULT_REGION = "ap-northeast-1"  # where the stack runs (template.yaml Rules)

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


# --- command line ---------------------------------------------------------------------------------------


def _is_local(host: str | None) -> bool:
    return host is not None and urlparse(host).hostname in LOCAL_HOSTS


def _token_from_secret(secret_id: str, host: str | None) -> str:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from civicline.adapters.line.channel_token import stateless_token_issuer
    from civicline.domain.errors import CivicLineError

    try:
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        secret = boto3.client("secretsmanager", region_name=region).get_secret_value(SecretId=secret_id)
        channel = json.loads(secret["SecretString"])
        channel_id, channel_secret = str(channel["channelId"]), str(channel["channelSecret"])
    except (BotoCoreError, ClientError) as error:
        raise DeployError(f"could not read secret {secret_id}: {type(error).__name__}") from error
    except (KeyError, ValueError, TypeError):
        raise DeployError(f"secret {secret_id} holds no JSON channelId and channelSecret") from None
    try:
        return stateless_token_issuer(_sdk_host(host))(channel_id, channel_secret).access_token
    except CivicLineError as error:
        raise DeployError(str(error)) from None


def _sdk_host(host: str | None) -> str | None:
    """None for LINE itself: the SDK then sends each call to its own host (api.line.me, api-data)."""
    return None if host is not None and urlparse(host).hostname in LINE_HOSTS else host


def access_token(host: str | None, token_from_env: bool, secret_id: str | None) -> str:
    if secret_id:
        return _token_from_secret(secret_id, host)
    from_env = os.environ.get(TOKEN_ENV)
    if token_from_env:
        if not from_env:
            raise DeployError(f"--token-from-env: {TOKEN_ENV} is not set")
        return from_env
    if _is_local(host):
        return from_env or DEV_CHANNEL_ACCESS_TOKEN
    raise DeployError(f"for real LINE pass --token-from-env ({TOKEN_ENV}) or --secret-id")


def run(mode: MenuKey, host: str | None, token: str, menus: RichMenus | None = None) -> DeployReport:
    with ApiClient(Configuration(host=_sdk_host(host), access_token=token)) as client:
        deployer = RichMenuDeployer(MessagingApi(client), MessagingApiBlob(client), menus or rich_menus())
        return deployer.deploy("normal") if mode == "normal" else deployer.switch(mode)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m staff.richmenu.deploy", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--mode",
        choices=get_args(MenuKey),
        default="normal",
        help="normal: (re)deploy both menus, normal as default; disaster: switch the default to 防災モード",
    )
    parser.add_argument(
        "--line-host",
        default=os.environ.get("LINE_API_HOST") or None,
        help="e.g. http://127.0.0.1:3001 for the fake LINE (default: LINE_API_HOST, else real LINE)",
    )
    tokens = parser.add_mutually_exclusive_group()
    tokens.add_argument("--token-from-env", action="store_true", help=f"read the token from {TOKEN_ENV}")
    tokens.add_argument("--secret-id", help="Secrets Manager secret with the channel id and secret")
    args = parser.parse_args(argv)
    try:
        token = access_token(args.line_host, args.token_from_env, args.secret_id)
        report = run(args.mode, args.line_host, token)
    except (DeployError, RichMenuDefinitionError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
