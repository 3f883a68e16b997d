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
import json
import os
import sys
from typing import get_args
from urllib.parse import urlparse

from civicline.richmenu.definition import MenuKey, RichMenuDefinitionError, RichMenus
from civicline.richmenu.deployer import DeployError, DeployReport, apply_mode, sdk_host

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


def run(mode: MenuKey, host: str | None, token: str, menus: RichMenus | None = None) -> DeployReport:
    """The same switch as the staff console's リッチメニュー page (civicline.richmenu.deployer)."""
    return apply_mode(mode, host, token, menus)


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
