"""Postback data: a short query string such as `action=settings&item=gender&v=female`.

A postback says what the resident chose *and* the state it leads to (a genre toggle carries `on=1` or
`on=0`, not "flip"), so handling one twice, or an old button tapped late, never does harm.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from civicline.domain.chat.replies import POSTBACK_DATA_MAX_BYTES


def encode(action: str, **params: str | int | None) -> str:
    pairs = [("action", action)] + [(key, str(value)) for key, value in params.items() if value is not None]
    data = urlencode(pairs)
    if len(data.encode("utf-8")) > POSTBACK_DATA_MAX_BYTES:
        raise ValueError("postback data is longer than LINE's 300 bytes")
    return data


def decode(data: str) -> Mapping[str, str]:
    """The parameters of `data`; anything that is not our query string reads as no parameters."""
    if len(data.encode("utf-8")) > POSTBACK_DATA_MAX_BYTES:
        return {}
    try:
        return dict(parse_qsl(data, keep_blank_values=True, strict_parsing=True, max_num_fields=16))
    except ValueError:
        return {}
