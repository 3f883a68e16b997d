"""The local stack's LINE channel credentials: documented dev defaults, overridable from the environment."""

from __future__ import annotations

import os

DEV_CHANNEL_ID = "2000000000"  # LINE channel ids are numbers; this one is no real channel
DEV_CHANNEL_SECRET = "civicline-local-dev-channel-secret"  # noqa: S105 - a documented, public dev value
DEV_CHANNEL_ACCESS_TOKEN = "civicline-dev-access-token"  # noqa: S105 - a documented, public dev value


def channel_id() -> str:
    return os.environ.get("LINE_CHANNEL_ID") or DEV_CHANNEL_ID


def channel_secret() -> str:
    return os.environ.get("LINE_CHANNEL_SECRET") or DEV_CHANNEL_SECRET


def channel_access_token() -> str:
    return os.environ.get("LINE_CHANNEL_ACCESS_TOKEN") or DEV_CHANNEL_ACCESS_TOKEN
