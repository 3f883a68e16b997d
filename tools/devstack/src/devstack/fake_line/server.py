"""FakeLine: the fake LINE Messaging API served over HTTP from a background thread."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devstack.credentials import DEV_CHANNEL_ID, DEV_CHANNEL_SECRET
from devstack.fake_line.app import FakeLineApp
from devstack.fake_line.state import SimulatedUser
from devstack.fake_line.wire import LineApiError, Request, Response

DEV_CHANNEL_ACCESS_TOKEN = "civicline-dev-access-token"  # noqa: S105 - the documented dev credential
DEFAULT_PORT = 3001
MAX_REQUEST_BYTES = 2 * 1024 * 1024  # LINE answers 413 above 2 MB
# An oversized body this small is read and thrown away before the 413, so the client sees the answer
# rather than a reset connection; anything larger is cut off.
MAX_DRAINED_BYTES = 16 * 1024 * 1024

logger = logging.getLogger(__name__)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512  # a benchmark opens many connections at once

    def __init__(self, address: tuple[str, int], app: FakeLineApp, verbose: bool) -> None:
        super().__init__(address, _RequestHandler)
        self.app = app
        self.verbose = verbose


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as LINE's servers and the SDK's connection pool expect
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._answer(LineApiError(411, "Length Required").to_response(), close=True)
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_REQUEST_BYTES:
            if 0 < length <= MAX_DRAINED_BYTES:
                self._drain(length)
            self._answer(LineApiError(413, "Request Entity Too Large").to_response(), close=True)
            return
        body = self.rfile.read(length) if length else b""
        request = Request.build(self.command, self.path, dict(self.headers.items()), body)
        try:
            response = self.server.app.handle(request)
        except Exception:
            logger.exception("fake LINE failed on %s %s", self.command, request.path)
            response = LineApiError(500, "Internal server error").to_response()
        if response.drop_connection:
            self.close_connection = True
            return
        self._answer(response)

    def _drain(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 64 * 1024))
            if not chunk:
                return
            length -= len(chunk)

    def _answer(self, response: Response, close: bool = False) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class FakeLine:
    """The fake LINE Messaging API (and its api-data host) on `host:port`; port 0 picks a free port.

    `rate_limits` maps endpoint names (reply, push, multicast, narrowcast, broadcast, profile, validate,
    richmenu, richmenu_create, richmenu_delete, richmenu_image, richmenu_default, richmenu_user,
    richmenu_alias) to requests per second, over LINE's defaults; None or 0 removes a limit.
    `faults` is a faults.FaultPlan configuration.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        *,
        channel_access_token: str = DEV_CHANNEL_ACCESS_TOKEN,
        channel_id: str = DEV_CHANNEL_ID,
        channel_secret: str = DEV_CHANNEL_SECRET,
        rate_limits: dict[str, float | None] | None = None,
        faults: dict[str, Any] | None = None,
        reply_token_ttl: float = 60.0,
        verbose: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.verbose = verbose
        self.app = FakeLineApp(
            channel_access_token, rate_limits, faults, reply_token_ttl, (channel_id, channel_secret)
        )
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> FakeLine:
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), self.app, self.verbose)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-line", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeLine:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- the tester's side (the same as /_sim) ----------------------------------------------------

    def add_user(
        self,
        user_id: str,
        display_name: str,
        picture_url: str | None = None,
        language: str | None = None,
        status_message: str | None = None,
    ) -> None:
        from devstack.fake_line.sim import user_from_json

        user = user_from_json(
            {
                "userId": user_id,
                "displayName": display_name,
                "pictureUrl": picture_url,
                "language": language,
                "statusMessage": status_message,
            }
        )
        self.app.state.add_user(user)

    def users(self) -> list[SimulatedUser]:
        return self.app.state.users()

    def mint_reply_token(self, user_id: str | None = None, ttl: float | None = None) -> str:
        return self.app.state.mint_reply_token(user_id=user_id, ttl=ttl)

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        return [recorded.to_json() for recorded in self.app.state.requests(path)]

    def messages_for(self, user_id: str) -> list[dict[str, Any]]:
        return self.app.state.messages_for(user_id)

    def set_faults(self, faults: dict[str, Any] | None) -> None:
        self.app.faults.configure(faults)

    def set_rate_limits(self, rate_limits: dict[str, float | None]) -> None:
        self.app.rate_limiter.configure(rate_limits)

    def reset(self, users: bool = False) -> None:
        """Forget requests, tokens, retry keys, deliveries, rich menus and faults; restore the rate
        limits given at construction. Simulated residents stay unless `users`."""
        self.app.reset(users=users)
