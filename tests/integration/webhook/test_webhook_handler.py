"""The webhook handler against moto's SQS and Secrets Manager."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devstack.credentials import DEV_CHANNEL_SECRET
from devtools.lambda_support import FakeLambdaContext, load_function_module
from devtools.webhook_events import body_of, follow_event, http_api_event, sign, text_event

EVENTS_DIR = Path(__file__).resolve().parents[3] / "events" / "webhook"
REGION = "ap-northeast-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "CivicLineTest")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "civicline")
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(
            QueueName="events.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"}
        )["QueueUrl"]
        secret = boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name="line",
            SecretString=json.dumps({"channelSecret": DEV_CHANNEL_SECRET, "channelAccessToken": "token"}),
        )
        monkeypatch.setenv("EVENTS_QUEUE_URL", queue_url)
        monkeypatch.setenv("LINE_SECRET_ID", secret["ARN"])
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()
        yield {"sqs": sqs, "queue_url": queue_url, "handler": load_function_module("webhook").lambda_handler}


def _drain(aws: dict[str, Any]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while True:
        got = (
            aws["sqs"]
            .receive_message(
                QueueUrl=aws["queue_url"], MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
            )
            .get("Messages", [])
        )
        if not got:
            return messages
        messages.extend(got)
        for m in got:
            aws["sqs"].delete_message(QueueUrl=aws["queue_url"], ReceiptHandle=m["ReceiptHandle"])


def _call(aws: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = aws["handler"](event, FakeLambdaContext())
    return response


def test_ten_events_from_two_users_are_queued_by_user(aws: dict[str, Any]) -> None:
    # Given a signed body of 12 events from two residents
    events = [text_event("Ualice", f"rt{i}", f"message {i}") for i in range(6)]
    events += [follow_event("Ubob", f"rb{i}") for i in range(6)]
    body = body_of(events)
    # When LINE posts it
    response = _call(aws, http_api_event(body, sign(DEV_CHANNEL_SECRET, body)))
    # Then LINE gets 200 and each event is on the FIFO queue, grouped by user, deduplicated by its id
    assert response["statusCode"] == 200
    queued = _drain(aws)
    assert sorted(m["Attributes"]["MessageDeduplicationId"] for m in queued) == sorted(
        e["webhookEventId"] for e in events
    )
    groups = {m["Attributes"]["MessageDeduplicationId"]: m["Attributes"]["MessageGroupId"] for m in queued}
    assert {groups[e["webhookEventId"]] for e in events[:6]} == {"Ualice"}
    assert {groups[e["webhookEventId"]] for e in events[6:]} == {"Ubob"}
    assert json.loads(queued[0]["Body"])["destination"]


def test_redelivered_body_is_deduplicated_by_the_queue(aws: dict[str, Any]) -> None:
    body = body_of([follow_event("Ualice", "rt")])
    event = http_api_event(body, sign(DEV_CHANNEL_SECRET, body))
    assert _call(aws, event)["statusCode"] == 200
    assert _call(aws, event)["statusCode"] == 200
    assert len(_drain(aws)) == 1


@pytest.mark.parametrize("header", ["x-line-signature", "X-Line-Signature", "X-LINE-SIGNATURE"])
def test_signature_header_name_is_case_insensitive(aws: dict[str, Any], header: str) -> None:
    body = body_of([follow_event("Ualice", "rt")])
    event = http_api_event(body, None)
    event["headers"][header] = sign(DEV_CHANNEL_SECRET, body)
    assert _call(aws, event)["statusCode"] == 200


def test_base64_body_is_verified_after_decoding(aws: dict[str, Any]) -> None:
    body = body_of([text_event("Ualice", "rt", "こんにちは")])
    event = http_api_event(body, sign(DEV_CHANNEL_SECRET, body), base64_body=True)
    assert base64.b64decode(event["body"]) == body
    assert _call(aws, event)["statusCode"] == 200
    assert len(_drain(aws)) == 1


def test_invalid_signature_is_refused_and_body_never_logged(
    aws: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    body = body_of([text_event("Ualice", "rt", "私の電話番号は090-1234-5678です")])
    response = _call(aws, http_api_event(body, sign("wrong", body)))
    assert response["statusCode"] == 401
    assert _drain(aws) == []
    out = capsys.readouterr()
    assert "090-1234-5678" not in out.out + out.err


def test_message_text_never_reaches_the_logs(aws: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    body = body_of([text_event("Ualice", "rt", "新宿区西新宿二丁目8番1号 山田花子")])
    assert _call(aws, http_api_event(body, sign(DEV_CHANNEL_SECRET, body)))["statusCode"] == 200
    out = capsys.readouterr()
    assert "webhook handled" in out.out  # the log line exists...
    assert "山田花子" not in out.out + out.err  # ...and carries no message text
    assert "西新宿" not in out.out + out.err


def test_queue_failure_answers_5xx(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTS_QUEUE_URL", aws["queue_url"] + "-missing")
    handler = load_function_module("webhook").lambda_handler
    body = body_of([follow_event("Ualice", "rt")])
    response = handler(http_api_event(body, sign(DEV_CHANNEL_SECRET, body)), FakeLambdaContext())
    assert response["statusCode"] >= 500


@pytest.mark.parametrize(
    ("sample", "status", "enqueued"),
    [
        ("follow.json", 200, 1),
        ("message-text.json", 200, 1),
        ("postback.json", 200, 1),
        ("url-check.json", 200, 0),
        ("invalid-signature.json", 401, 0),
    ],
)
def test_every_sample_in_events_replays_through_the_handler(
    aws: dict[str, Any], sample: str, status: int, enqueued: int
) -> None:
    # The samples in events/ are what developers give `sam local invoke`: they must never go stale.
    event = json.loads((EVENTS_DIR / sample).read_text(encoding="utf-8"))
    assert _call(aws, event)["statusCode"] == status
    assert len(_drain(aws)) == enqueued


def test_samples_cover_the_directory() -> None:
    assert {p.name for p in EVENTS_DIR.glob("*.json")} == {
        "follow.json",
        "message-text.json",
        "postback.json",
        "url-check.json",
        "invalid-signature.json",
    }
