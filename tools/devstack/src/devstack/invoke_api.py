"""Lambda's Invoke API on localhost, like `sam local start-lambda`, plus the stack's own controls.

`boto3.client("lambda", endpoint_url="http://127.0.0.1:3002").invoke(FunctionName=...)` reaches the
template's functions by logical id, physical name or ARN, exactly as staff CLIs call them in AWS.

Controls (not part of Lambda's API):
- `GET /_devstack/ready` → 200 once the stack is up;
- `POST /_devstack/wait-idle?timeout=S` → 200 when every event-source queue is empty and no handler
  is running, 504 when that did not happen within S seconds.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from devstack.activity import ActivityTracker
from devstack.handlers import FunctionError, LocalFunction
from devstack.loopback import LoopbackServer
from devstack.resolve import arn

log = logging.getLogger("devstack.invoke_api")

_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")


class InvokeServer(LoopbackServer):
    def __init__(
        self,
        host: str,
        port: int,
        functions: dict[str, LocalFunction],
        *,
        is_ready: Callable[[], bool],
        wait_until_idle: Callable[[float], bool],
        activity: ActivityTracker,
    ) -> None:
        self._functions = functions
        self._is_ready = is_ready
        self._wait_until_idle = wait_until_idle
        self._activity = activity
        super().__init__(host, port)

    def find(self, name: str) -> LocalFunction | None:
        """A function by logical id, physical name, full or partial ARN (a qualifier is ignored)."""
        if name.startswith("arn:"):
            name = name.split(":")[6]  # arn:aws:lambda:region:account:function:NAME[:qualifier]
        elif ":function:" in name:
            name = name.split(":function:", 1)[1].split(":")[0]
        else:
            name = name.split(":")[0]
        for function in self._functions.values():
            if name in (function.logical_id, function.name):
                return function
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if urlsplit(self.path).path == "/_devstack/ready":
                    ready = server._is_ready()
                    _reply(self, 200 if ready else 503, {"ready": ready})
                else:
                    _reply(self, 404, {"message": "Not Found"})

            def do_POST(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                if split.path == "/_devstack/wait-idle":
                    timeout = float(parse_qs(split.query).get("timeout", ["30"])[0])
                    idle = server._wait_until_idle(timeout)
                    _reply(self, 200 if idle else 504, {"idle": idle})
                    return
                matched = _INVOKE_PATH.match(split.path)
                if not matched:
                    _reply(self, 404, {"message": "Not Found"})
                    return
                server._invoke(self, unquote(matched.group("name")), body)

            def log_message(self, format: str, *args: Any) -> None:
                log.info("%s %s", self.address_string(), format % args)

        return Handler

    def _invoke(self, request: BaseHTTPRequestHandler, name: str, body: bytes) -> None:
        function = self.find(name)
        if function is None:
            _reply(
                request,
                404,
                {"Type": "User", "Message": f"Function not found: {arn('lambda', f'function:{name}')}"},
                {"x-amzn-ErrorType": "ResourceNotFoundException"},
            )
            return
        try:
            event = json.loads(body) if body else {}
        except json.JSONDecodeError:
            _reply(
                request,
                400,
                {"Type": "User", "Message": "Could not parse request body into json"},
                {"x-amzn-ErrorType": "InvalidRequestContentException"},
            )
            return
        invocation_type = request.headers.get("x-amz-invocation-type", "RequestResponse")
        if invocation_type == "DryRun":
            _reply(request, 204, None)
            return
        if invocation_type == "Event":
            # Counted as activity from now until the handler returns, so wait-idle cannot slip in between.
            self._activity.enter()
            threading.Thread(target=self._invoke_async, args=(function, event), daemon=True).start()
            _reply(request, 202, None)
            return
        headers = {"X-Amz-Executed-Version": "$LATEST"}
        if request.headers.get("x-amz-log-type") == "Tail":
            headers["X-Amz-Log-Result"] = base64.b64encode(b"").decode()
        try:
            payload = function.invoke(event)
        except FunctionError as error:
            headers["X-Amz-Function-Error"] = "Unhandled"
            _reply(request, 200, error.payload(), headers)
            return
        _reply(request, 200, payload, headers)

    def _invoke_async(self, function: LocalFunction, event: Any) -> None:
        try:
            function.invoke(event)
        except FunctionError as error:
            log.info("%s: asynchronous invocation failed (%s)", function.logical_id, error.error_type)
        finally:
            self._activity.exit()


def _reply(
    request: BaseHTTPRequestHandler, status: int, payload: Any, headers: dict[str, str] | None = None
) -> None:
    body = b"" if status in (202, 204) else json.dumps(payload).encode()
    request.send_response(status)
    request.send_header("content-type", "application/json")
    for name, value in (headers or {}).items():
        request.send_header(name, value)
    request.send_header("content-length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)
