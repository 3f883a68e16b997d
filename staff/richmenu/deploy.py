"""Put the ward's rich menus on LINE: `python -m staff.richmenu.deploy [--mode normal|disaster]`.

`--mode normal` (the default) puts both menus of every language on LINE from the definition and the
committed images (a menu already there unchanged, by the content digest in its name, is kept), points
the aliases at them (civicline-normal, civicline-normal-en, …), makes the default language's normal
menu everyone's default, and only then deletes every other menu whose name carries our prefix:
residents never see a gap, and re-running leaves exactly two of ours per language, creating and
deleting nothing when nothing changed (LINE keeps at most 1,000 menus per account and allows 100
creations an hour). `--mode disaster` only switches the default to the
防災モード menu, deploying first if our menus are missing; switching back is `--mode normal`.

Either way, with `--users-table` (`make richmenu USERS_TABLE=…`) every following resident who reads
another language is then linked to their language's menu of the mode (a linked menu hides the default), in
bulk calls of 500 per language (civicline.services.richmenu_mode).

Locally (`--line-host http://127.0.0.1:3001`) the dev token is used unless LINE_CHANNEL_ACCESS_TOKEN is
set. Against real LINE pass `--token-from-env` (LINE_CHANNEL_ACCESS_TOKEN) or `--secret-id` (the
stack's Secrets Manager secret, JSON `{"channelId", "channelSecret"}`: a stateless channel access token
is issued from it, as the functions do).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import get_args
from urllib.parse import urlparse

from linebot.v3.messaging import ApiClient, Configuration, MessagingApi

from civicline.adapters.dynamodb.resident_languages import DynamoResidentLanguages
from civicline.adapters.line.richmenu_links import LineRichMenuLinks
from civicline.domain.errors import CivicLineError
from civicline.richmenu.definition import MenuKey, RichMenuDefinitionError, RichMenus
from civicline.richmenu.deployer import DeployError, DeployReport, apply_mode, sdk_host
from civicline.services.richmenu_mode import RelinkReport, ResidentMenus, RichMenuModeSwitch

DEV_CHANNEL_ACCESS_TOKEN = "civicline-dev-access-token"  # noqa: S105 - the local stack's public dev token
TOKEN_ENV = "LINE_CHANNEL_ACCESS_TOKEN"  # noqa: S105 - a variable name, not a token
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_REGION = "ap-northeast-1"  # where the stack runs (template.yaml Rules)


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
        return stateless_token_issuer(sdk_host(host))(channel_id, channel_secret).access_token
    except CivicLineError as error:
        raise DeployError(str(error)) from None


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


def run(
    mode: MenuKey,
    host: str | None,
    token: str,
    menus: RichMenus | None = None,
    users_table: str | None = None,
) -> tuple[DeployReport, RelinkReport | None]:
    """The same switch as the staff console's リッチメニュー page (civicline.richmenu.deployer), then the
    residents reading another language relinked (civicline.services.richmenu_mode)."""
    if users_table is None:
        return apply_mode(mode, host, token, menus), None
    import boto3

    from civicline.adapters.dynamodb.wire_client import WIRE_CONFIG

    residents = DynamoResidentLanguages(boto3.client("dynamodb", config=WIRE_CONFIG), users_table)
    with ApiClient(Configuration(host=sdk_host(host), access_token=token)) as client:
        links = LineRichMenuLinks(lambda: MessagingApi(client))
        switch = RichMenuModeSwitch(
            lambda chosen: apply_mode(chosen, host, token, menus), residents, ResidentMenus(links)
        )
        return switch.switch(mode)


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
    parser.add_argument(
        "--users-table",
        help="the stack's Users table: relink the residents reading another language to their menus",
    )
    args = parser.parse_args(argv)
    try:
        token = access_token(args.line_host, args.token_from_env, args.secret_id)
        report, relinked = run(args.mode, args.line_host, token, users_table=args.users_table)
    except (DeployError, RichMenuDefinitionError, CivicLineError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    if relinked is None:
        print("residents reading another language were not relinked: pass --users-table", file=sys.stderr)
    else:
        print(relinked.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
