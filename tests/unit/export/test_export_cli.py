"""The staff CLI: what it sends, and the link alone on the first line of what it prints."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from staff import export_cli

REQUESTER = {"arn": "arn:aws:iam::123456789012:user/k", "userId": "AIDA", "account": "123456789012"}
ANSWER = {
    "exportId": "20261127T080000Z-0a1b2c3d",
    "recordCount": 2,
    "url": "https://b.s3.ap-northeast-1.amazonaws.com/k.csv?X-Amz-Expires=900",
    "expiresAt": "2026-11-27T08:15:00Z",
    "expirySeconds": 900,
    "window": {"mode": "watermark", "upTo": "2026-11-27T07:58:00.000000+00:00"},
    "unencodableTotal": 1,
    "unencodable": [{"row": 2, "column": "氏名"}],
}


class FakeLambda:
    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.sent: list[dict[str, Any]] = []

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
        self.sent.append(json.loads(Payload))
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(self.answer).encode())}


def _args(*argv: str) -> Any:
    return export_cli.arguments().parse_args(["--form", "koho_delivery", *argv])


def test_the_event_carries_the_request_and_who_asked() -> None:
    event = export_cli.build_event(
        _args("--encoding", "cp932", "--from", "2026-11-01", "--to", "2026-11-27"), REQUESTER
    )
    assert event == {
        "formId": "koho_delivery",
        "encoding": "cp932",
        "requestedBy": REQUESTER,
        "from": "2026-11-01",
        "to": "2026-11-27",
    }


def test_the_link_is_printed_alone_on_the_first_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeLambda(ANSWER)
    monkeypatch.setattr(export_cli, "caller_identity", lambda endpoint: REQUESTER)
    monkeypatch.setattr("boto3.client", lambda *a, **k: fake)
    assert export_cli.main(["--endpoint-url", "http://127.0.0.1:3002"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ANSWER["url"]
    assert "records:   2" in lines
    assert any("row 2 氏名" in line for line in lines)
    assert fake.sent[0]["requestedBy"] == REQUESTER


def test_a_refusal_stops_with_its_reason() -> None:
    fake = FakeLambda({"error": {"type": "ExportInProgress", "message": "another export runs"}})
    with pytest.raises(SystemExit, match="ExportInProgress"):
        export_cli.invoke(fake, "ExportFunction", {})


def test_a_period_re_export_is_refused_and_points_to_the_staff_console(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given staff asking the CLI for a period (it would re-export every retained applicant in it)
    fake = FakeLambda(ANSWER)
    monkeypatch.setattr(export_cli, "caller_identity", lambda endpoint: REQUESTER)
    monkeypatch.setattr("boto3.client", lambda *a, **k: fake)
    # When the CLI runs
    with pytest.raises(SystemExit):
        export_cli.main(["--from", "2026-11-01", "--to", "2026-11-27"])
    # Then nothing was invoked, and the message points to the console
    assert fake.sent == []
    assert "staff console" in capsys.readouterr().err
