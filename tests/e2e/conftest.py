"""The local stack (`python -m devstack`) as a subprocess, shared by every e2e test of a session.

A subprocess keeps the stack's process-wide settings (os.environ, sys.stdout routing, moto's state)
out of the test process. Tests drive it over HTTP like LINE, staff and AWS would:

    def test_something(local_stack):
        status, body = local_stack.post_webhook({"destination": "U0", "events": [...]})  # signed
        assert local_stack.wait_until_idle(30)
        local_stack.line_messages_for(user_id)            # what the fake LINE received
        local_stack.boto3_client("dynamodb").scan(...)    # moto
        local_stack.boto3_client("lambda").invoke(FunctionName="ExportFunction", ...)
        local_stack.log_text()                            # every function log, for PII scans
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from devstack.http_client import http_json

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_SECONDS = 120
DEV_CHANNEL_SECRET = "civicline-local-dev-channel-secret"
DEV_CHANNEL_ACCESS_TOKEN = "civicline-dev-access-token"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LocalStackProcess:
    """URLs of the running stack and helpers over them."""

    moto_url: str
    api_url: str
    line_url: str
    invoke_url: str
    log_dir: Path
    output_path: Path
    channel_secret: str = DEV_CHANNEL_SECRET
    channel_access_token: str = DEV_CHANNEL_ACCESS_TOKEN

    # -- the stack --------------------------------------------------------------------------------

    def wait_until_idle(self, timeout: float = 30) -> bool:
        """True once every event-source queue is empty and no handler runs."""
        status, _ = http_json(
            "POST", f"{self.invoke_url}/_devstack/wait-idle?timeout={timeout}", timeout=timeout + 30
        )
        return status == 200

    def boto3_client(self, service: str, **kwargs: Any) -> Any:
        """moto for AWS services; the stack's Invoke API for "lambda"."""
        return boto3.client(
            service,
            endpoint_url=self.invoke_url if service == "lambda" else self.moto_url,
            region_name="ap-northeast-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            **kwargs,
        )

    def log_text(self) -> str:
        """Every log file of the stack, concatenated (function logs, devstack.log, moto.log)."""
        return "\n".join(path.read_text(encoding="utf-8") for path in sorted(self.log_dir.glob("*.log")))

    def output(self) -> str:
        """What `python -m devstack` printed (URLs, routes, pollers, load errors)."""
        return self.output_path.read_text(encoding="utf-8")

    # -- LINE's side ------------------------------------------------------------------------------

    def sign(self, body: bytes) -> str:
        digest = hmac.new(self.channel_secret.encode(), body, hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def post_webhook(
        self, payload: dict[str, Any] | bytes, *, signature: str | None = None
    ) -> tuple[int, Any]:
        """POSTs to /webhook as LINE does, signed with the dev channel secret unless told otherwise."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        request = urllib.request.Request(f"{self.api_url}/webhook", data=body, method="POST")  # noqa: S310
        request.add_header("content-type", "application/json; charset=utf-8")
        request.add_header("x-line-signature", self.sign(body) if signature is None else signature)
        request.add_header("user-agent", "LineBotWebhook/2.0")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - localhost only
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def line_add_user(self, user_id: str, display_name: str, **profile: Any) -> None:
        status, body = http_json(
            "POST", f"{self.line_url}/_sim/users", {"userId": user_id, "displayName": display_name, **profile}
        )
        assert status == 201, body

    def line_reply_token(self, user_id: str | None = None) -> str:
        status, body = http_json(
            "POST", f"{self.line_url}/_sim/reply-tokens", {"userId": user_id} if user_id else {}
        )
        assert status == 201, body
        return str(body["replyToken"])

    def line_requests(self, path: str | None = None) -> list[dict[str, Any]]:
        query = f"?path={path}" if path else ""
        status, body = http_json("GET", f"{self.line_url}/_sim/requests{query}")
        assert status == 200, body
        return list(body)

    def line_messages_for(self, user_id: str) -> list[dict[str, Any]]:
        status, body = http_json("GET", f"{self.line_url}/_sim/messages/{user_id}")
        assert status == 200, body
        return list(body)

    def line_reset(self, users: bool = False) -> None:
        status, body = http_json("POST", f"{self.line_url}/_sim/reset", {"users": users})
        assert status == 200, body


def _wait_until_ready(process: subprocess.Popen[bytes], stack: LocalStackProcess) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"python -m devstack exited with {process.returncode}:\n{stack.output()}")
        try:
            status, _ = http_json("GET", f"{stack.invoke_url}/_devstack/ready", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the local stack was not ready within {STARTUP_TIMEOUT_SECONDS} s:\n{stack.output()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackProcess]:
    workdir = tmp_path_factory.mktemp("local-stack")
    ports = {name: _free_port() for name in ("moto", "api", "line", "invoke")}
    stack = LocalStackProcess(
        moto_url=f"http://127.0.0.1:{ports['moto']}",
        api_url=f"http://127.0.0.1:{ports['api']}",
        line_url=f"http://127.0.0.1:{ports['line']}",
        invoke_url=f"http://127.0.0.1:{ports['invoke']}",
        log_dir=workdir / "logs",
        output_path=workdir / "devstack.out",
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [
                str(REPO_ROOT),
                str(REPO_ROOT / "layers" / "civicline"),
                os.environ.get("PYTHONPATH", ""),
            ]
        ),
        "PYTHONUNBUFFERED": "1",
    }
    # The dev credentials, whatever the developer's shell says: tests sign with them.
    env.pop("LINE_CHANNEL_SECRET", None)
    env.pop("LINE_CHANNEL_ACCESS_TOKEN", None)
    command = [
        sys.executable,
        "-m",
        "devstack",
        "--moto-port", str(ports["moto"]),
        "--api-port", str(ports["api"]),
        "--line-port", str(ports["line"]),
        "--invoke-port", str(ports["invoke"]),
        "--log-dir", str(stack.log_dir),
    ]  # fmt: skip
    with stack.output_path.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_ready(process, stack)
        yield stack
    finally:
        _stop(process)
