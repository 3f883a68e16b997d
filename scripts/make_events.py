"""Write events/webhook/*.json: signed webhook samples for `sam local invoke` and the tests.

Run `make events` after changing the dev secret or the shapes; a test replays every file through the
handler and checks its signature, so a stale sample fails the build instead of misleading a developer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from devstack.credentials import DEV_CHANNEL_SECRET
from devstack.webhook_events import body_of, follow_event, http_api_event, postback_event, sign, text_event

EVENTS_DIR = Path(__file__).resolve().parents[1] / "events" / "webhook"
SAMPLE_USER = "U0123456789abcdef0123456789abcdef"
SAMPLE_TIMESTAMP = 1795737600000  # 2026-11-27T00:00:00Z


def _fixed(event: dict[str, Any], number: int) -> dict[str, Any]:
    """Stable ids and times, so regenerating the samples changes nothing."""
    event["timestamp"] = SAMPLE_TIMESTAMP
    event["webhookEventId"] = f"01JDEVSAMPLE{number:014d}"
    if "message" in event:
        event["message"]["id"] = f"5{number:017d}"
        event["message"]["quoteToken"] = f"q{number:031d}"
    return event


def samples() -> dict[str, dict[str, Any]]:
    secret = DEV_CHANNEL_SECRET
    follow = body_of([_fixed(follow_event(SAMPLE_USER, "dev-reply-token-follow"), 1)])
    text = body_of([_fixed(text_event(SAMPLE_USER, "dev-reply-token-text", "受信設定"), 2)])
    postback = body_of(
        [_fixed(postback_event(SAMPLE_USER, "dev-reply-token-postback", "action=settings"), 3)]
    )
    url_check = body_of([])
    return {
        "follow.json": http_api_event(follow, sign(secret, follow)),
        "message-text.json": http_api_event(text, sign(secret, text)),
        "postback.json": http_api_event(postback, sign(secret, postback)),
        "url-check.json": http_api_event(url_check, sign(secret, url_check)),
        "invalid-signature.json": http_api_event(follow, sign("not-the-channel-secret", follow)),
    }


def main() -> None:
    EVENTS_DIR.mkdir(parents=True, exist_ok=True)
    for name, event in samples().items():
        event["requestContext"]["requestId"] = f"sample-{name.removesuffix('.json')}"
        event["requestContext"]["time"] = "27/Nov/2026:00:00:00 +0000"
        event["requestContext"]["timeEpoch"] = SAMPLE_TIMESTAMP
        path = EVENTS_DIR / name
        path.write_text(json.dumps(event, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(EVENTS_DIR.parents[1])}")


if __name__ == "__main__":
    main()
