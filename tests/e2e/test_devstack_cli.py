"""`make local` and `make demo`: the stack starts from template.yaml, prints, and stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from devstack.stack import free_port, line_credentials_from_env

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [
                str(REPO_ROOT / "layers" / "civicline"),
                str(REPO_ROOT),
                os.environ.get("PYTHONPATH", ""),
            ]
        ),
        "PYTHONUNBUFFERED": "1",
    }


def test_make_local_prints_its_urls_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    # Given `python -m devstack` on free ports
    ports = [free_port() for _ in range(4)]
    output = tmp_path / "out.txt"
    command = [sys.executable, "-m", "devstack", "--log-dir", str(tmp_path / "logs")]
    for flag, port in zip(("--moto-port", "--api-port", "--line-port", "--invoke-port"), ports, strict=True):
        command += [flag, str(port)]
    with output.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            command, cwd=REPO_ROOT, env=_env(), stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        # When it is ready
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ports[3]}/_devstack/ready", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        # And it is interrupted as Ctrl-C would
        process.send_signal(signal.SIGINT)
        returncode = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    # Then it printed its URLs and the dev credentials, and stopped with status 0
    text = output.read_text(encoding="utf-8")
    assert returncode == 0, text
    assert f"HTTP API     http://127.0.0.1:{ports[1]}" in text
    assert f"fake LINE    http://127.0.0.1:{ports[2]}" in text
    assert "civicline-local-dev-channel-secret" in text
    # And the staff console's URL and its dev logins
    assert f"staff console http://127.0.0.1:{ports[1]}/staff/" in text
    for role in ("admin", "editor", "exporter", "viewer"):
        assert f"{role}@example.jp" in text
    assert "Civicline-dev-2026!" in text
    assert text.rstrip().endswith("stopped.")


def test_make_demo_tells_the_story_and_stops_cleanly(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "tools.demo", "--log-dir", str(tmp_path / "logs")],
        cwd=REPO_ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "a forged webhook was answered 401" in result.stdout
    assert "a resident whose LINE is in Vietnamese followed and applied in Vietnamese" in result.stdout
    assert "What happened:" in result.stdout
    assert "make privacy-report" in result.stdout
    # And it ends by showing the staff console: its URL, a sign-in, a dashboard figure
    assert "/staff/" in result.stdout
    assert "admin@example.jp signs in" in result.stdout
    assert "staff signed in to the console and saw" in result.stdout
    assert result.stdout.rstrip().endswith("Stopped cleanly.")


def test_line_credentials_default_to_the_dev_values_and_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LINE_CHANNEL_ID", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_SECRET", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    assert line_credentials_from_env().channel_id == "2000000000"
    assert line_credentials_from_env().channel_secret == "civicline-local-dev-channel-secret"
    assert line_credentials_from_env().channel_access_token == "civicline-dev-access-token"
    monkeypatch.setenv("LINE_CHANNEL_ID", "1234567890")
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "mine")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "my-token")
    assert line_credentials_from_env().channel_id == "1234567890"
    assert line_credentials_from_env().channel_secret == "mine"
    assert line_credentials_from_env().channel_access_token == "my-token"
