"""What the fake remembers: simulated residents, reply tokens, accepted requests, retry keys, deliveries.

Every method takes the one lock, so request threads and the test's own thread can share a State.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

RETRY_KEY_TTL_SECONDS = 24 * 60 * 60
DEFAULT_REPLY_TOKEN_TTL_SECONDS = 60.0


def new_request_id() -> str:
    return str(uuid.uuid4())


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class SimulatedUser:
    user_id: str
    display_name: str
    picture_url: str | None = None
    language: str | None = None
    status_message: str | None = None

    def profile(self) -> dict[str, Any]:
        """The body of `GET /v2/bot/profile/{userId}` (absent fields left out, as LINE does)."""
        profile = {
            "userId": self.user_id,
            "displayName": self.display_name,
            "pictureUrl": self.picture_url,
            "language": self.language,
            "statusMessage": self.status_message,
        }
        return {key: value for key, value in profile.items() if value is not None}


@dataclass(frozen=True)
class RecordedRequest:
    id: str
    method: str
    path: str
    body: Any
    retry_key: str | None
    at: str = field(default_factory=_now_iso)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path,
            "body": self.body,
            "retryKey": self.retry_key,
            "at": self.at,
        }


@dataclass(frozen=True)
class _ReplyToken:
    user_id: str | None
    expires_at: float


class RetryKeyTaken(Exception):
    """The retry key belongs to an accepted (or in-flight) request."""

    def __init__(self, accepted_request_id: str) -> None:
        super().__init__(accepted_request_id)
        self.accepted_request_id = accepted_request_id


class State:
    def __init__(
        self,
        reply_token_ttl: float = DEFAULT_REPLY_TOKEN_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reply_token_ttl = reply_token_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._users: dict[str, SimulatedUser] = {}
        self._reply_tokens: dict[str, _ReplyToken] = {}
        self._requests: list[RecordedRequest] = []
        # retry key -> (request id, expiry); a key is held while its request runs and kept once accepted
        self._retry_keys: dict[str, tuple[str, float]] = {}
        self._deliveries: dict[str, list[dict[str, Any]]] = defaultdict(list)

    # --- residents --------------------------------------------------------------------------------

    def add_user(self, user: SimulatedUser) -> None:
        with self._lock:
            self._users[user.user_id] = user

    def user(self, user_id: str) -> SimulatedUser | None:
        with self._lock:
            return self._users.get(user_id)

    def users(self) -> list[SimulatedUser]:
        with self._lock:
            return list(self._users.values())

    # --- reply tokens -----------------------------------------------------------------------------

    def mint_reply_token(self, user_id: str | None = None, ttl: float | None = None) -> str:
        token = secrets.token_hex(16)
        lifetime = self.reply_token_ttl if ttl is None else ttl
        with self._lock:
            self._reply_tokens[token] = _ReplyToken(user_id, self._clock() + lifetime)
        return token

    def use_reply_token(self, token: str) -> tuple[bool, str | None]:
        """Consume a token: (valid, bound user). Unknown, used and expired tokens are all invalid."""
        with self._lock:
            entry = self._reply_tokens.pop(token, None)
        if entry is None or self._clock() >= entry.expires_at:
            return False, None
        return True, entry.user_id

    def reply_token_is_valid(self, token: str) -> bool:
        with self._lock:
            entry = self._reply_tokens.get(token)
        return entry is not None and self._clock() < entry.expires_at

    # --- retry keys -------------------------------------------------------------------------------

    def hold_retry_key(self, key: str, request_id: str) -> None:
        """Claim `key` for this request, or raise RetryKeyTaken with the request that already holds it."""
        now = self._clock()
        with self._lock:
            held = self._retry_keys.get(key)
            if held is not None and held[1] > now:
                raise RetryKeyTaken(held[0])
            self._retry_keys[key] = (request_id, now + RETRY_KEY_TTL_SECONDS)

    def release_retry_key(self, key: str, request_id: str) -> None:
        """Give the key back when its request was refused, so a retry may use it."""
        with self._lock:
            if self._retry_keys.get(key, ("",))[0] == request_id:
                del self._retry_keys[key]

    # --- accepted requests and what residents received --------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def requests(self, path: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self._requests if path is None or r.path == path]

    def deliver(self, user_ids: list[str], messages: list[Any], via: str, request_id: str) -> None:
        # One entry per message, shared by every recipient's inbox (messages_for hands out copies).
        at = _now_iso()
        entries = [{"requestId": request_id, "via": via, "message": m, "at": at} for m in messages]
        with self._lock:
            for user_id in user_ids:
                self._deliveries[user_id].extend(entries)

    def messages_for(self, user_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._deliveries.get(user_id, [])]

    def reset(self, users: bool = False) -> None:
        with self._lock:
            self._reply_tokens.clear()
            self._requests.clear()
            self._retry_keys.clear()
            self._deliveries.clear()
            if users:
                self._users.clear()
