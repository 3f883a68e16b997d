"""A simulated resident on the local stack: taps and types in LINE, reads what the account sends back.

Everything goes over HTTP as in production: signed webhooks to the HttpApi, replies read from the fake
LINE's simulator. The demo and the e2e tests drive the system through this one class.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from devstack.webhook_events import base_event, body_of, follow_event, postback_event, sign, text_event


class ConversationError(AssertionError):
    """The account did not answer the way the script expected."""


def _http(method: str, url: str, payload: Any = None, headers: dict[str, str] | None = None) -> Any:
    data = payload if payload is None or isinstance(payload, bytes) else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310
    if data is not None and "content-type" not in {k.lower() for k in request.headers}:
        request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
        body = response.read()
    return json.loads(body) if body else None


@dataclass(frozen=True)
class StackUrls:
    api: str
    line: str
    invoke: str
    channel_secret: str


def wait_until_idle(urls: StackUrls, timeout: float = 60.0) -> None:
    _http("POST", f"{urls.invoke}/_devstack/wait-idle?timeout={timeout}", b"")


def post_webhook(urls: StackUrls, events: list[dict[str, Any]], *, secret: str | None = None) -> int:
    """Posts a webhook body as LINE would (signed with `secret`, by default the channel's); the status."""
    body = body_of(events)
    signature = sign(secret or urls.channel_secret, body)
    request = urllib.request.Request(  # noqa: S310 - loopback only
        f"{urls.api}/webhook",
        data=body,
        method="POST",
        headers={"content-type": "application/json", "x-line-signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            status: int = response.status
    except urllib.error.HTTPError as refused:
        status = refused.code
    wait_until_idle(urls)
    return status


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def message_text(message: dict[str, Any]) -> str:
    """What a person would read in a message: the text, or every text of a Flex message."""
    if message.get("type") == "text":
        return str(message.get("text", ""))
    if message.get("type") == "flex":
        texts = [n["text"] for n in _walk(message.get("contents")) if n.get("type") == "text" and "text" in n]
        return "\n".join(str(t) for t in texts)
    return f"[{message.get('type')}]"


@dataclass
class Resident:
    urls: StackUrls
    user_id: str
    display_name: str
    seen: int = 0
    last_batch: list[dict[str, Any]] = field(default_factory=list)
    language: str | None = None  # the LINE app's language (getProfile's `language`), e.g. "ko"

    # -- what the resident does ------------------------------------------------------------------

    def join(self) -> None:
        """Exists in the fake LINE, so the account can read the profile."""
        user = {"userId": self.user_id, "displayName": self.display_name}
        if self.language is not None:
            user["language"] = self.language
        _http("POST", f"{self.urls.line}/_sim/users", user)

    def follow(self, *, unblocked: bool = False) -> list[dict[str, Any]]:
        return self._send(follow_event(self.user_id, self._reply_token(), unblocked=unblocked))

    def unfollow(self) -> list[dict[str, Any]]:
        return self._send(base_event("unfollow", self.user_id))

    def say(self, text: str) -> list[dict[str, Any]]:
        return self._send(text_event(self.user_id, self._reply_token(), text))

    def postback(self, data: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        return self._send(postback_event(self.user_id, self._reply_token(), data, params))

    def tap(self, label: str) -> list[dict[str, Any]]:
        """Taps the quick reply or button labelled `label` in the latest messages, as LINE would."""
        action = self._find_action(label)
        kind = action.get("type")
        if kind == "postback":
            return self.postback(str(action["data"]))
        if kind == "message":
            return self.say(str(action["text"]))
        if kind == "datetimepicker":
            raise ConversationError(f"{label!r} opens a date picker; use postback() with params")
        raise ConversationError(f"{label!r} is a {kind} action, not something a chat test can tap")

    # -- what the resident sees ------------------------------------------------------------------

    def inbox(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = _http("GET", f"{self.urls.line}/_sim/messages/{self.user_id}")
        return [entry["message"] for entry in entries]

    def labels(self) -> list[str]:
        """Every tappable label in the latest messages (quick replies and buttons)."""
        return [str(n["action"]["label"]) for n in self._actions() if "label" in n["action"]]

    def read(self) -> str:
        return "\n".join(message_text(m) for m in self.last_batch)

    # -- plumbing --------------------------------------------------------------------------------

    def _reply_token(self) -> str:
        minted = _http("POST", f"{self.urls.line}/_sim/reply-tokens", {"userId": self.user_id})
        return str(minted["replyToken"])

    def _send(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        status = post_webhook(self.urls, [event])
        if status != 200:
            raise ConversationError(f"the webhook answered {status}")
        time.sleep(0.05)  # the fake records a reply as its HTTP answer leaves; let it land
        messages = self.inbox()
        self.last_batch = messages[self.seen :]
        self.seen = len(messages)
        return self.last_batch

    def _actions(self) -> list[dict[str, Any]]:
        return [n for n in _walk(self.last_batch) if isinstance(n.get("action"), dict)]

    def _find_action(self, label: str) -> dict[str, Any]:
        for node in self._actions():
            if node["action"].get("label") == label:
                return dict(node["action"])
        raise ConversationError(f"no {label!r} to tap; the account offered {self.labels()}")
