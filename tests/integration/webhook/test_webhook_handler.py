"""The webhook handler against template.yaml's events queue and LINE secret in moto."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.integration.aws_from_template import TemplateAws
from tests.support.lambda_runtime import FakeLambdaContext, load_function_module

from civicline.domain.webhook.ingress import IngressStatus
from devstack.credentials import DEV_CHANNEL_SECRET
from devstack.webhook_events import body_of, follow_event, http_api_event, sign, text_event

EVENTS_DIR = Path(__file__).resolve().parents[3] / "events" / "webhook"


@pytest.fixture
def webhook(aws: TemplateAws) -> dict[str, Any]:
    """The handler with template.yaml's EventsQueue and LINE secret (the dev channel secret) in moto."""
    return {
        "sqs": aws.client("sqs"),
        "queue_url": aws.queue_url("EventsQueue"),
        "handler": load_function_module("webhook").lambda_handler,
    }


def _drain(webhook: dict[str, Any]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while True:
        got = (
            webhook["sqs"]
            .receive_message(
                QueueUrl=webhook["queue_url"], MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
            )
            .get("Messages", [])
        )
        if not got:
            return messages
        messages.extend(got)
        for m in got:
            webhook["sqs"].delete_message(QueueUrl=webhook["queue_url"], ReceiptHandle=m["ReceiptHandle"])


def _call(webhook: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = webhook["handler"](event, FakeLambdaContext())
    return response


def test_ten_events_from_two_users_are_queued_by_user(webhook: dict[str, Any]) -> None:
    # Given a signed body of 12 events from two residents
    events = [text_event("Ualice", f"rt{i}", f"message {i}") for i in range(6)]
    events += [follow_event("Ubob", f"rb{i}") for i in range(6)]
    body = body_of(events)
    # When LINE posts it
    response = _call(webhook, http_api_event(body, sign(DEV_CHANNEL_SECRET, body)))
    # Then LINE gets 200 and each event is on the FIFO queue, grouped by user, deduplicated by its id
    assert response["statusCode"] == 200
    queued = _drain(webhook)
    assert sorted(m["Attributes"]["MessageDeduplicationId"] for m in queued) == sorted(
        e["webhookEventId"] for e in events
    )
    groups = {m["Attributes"]["MessageDeduplicationId"]: m["Attributes"]["MessageGroupId"] for m in queued}
    assert {groups[e["webhookEventId"]] for e in events[:6]} == {"Ualice"}
    assert {groups[e["webhookEventId"]] for e in events[6:]} == {"Ubob"}
    assert json.loads(queued[0]["Body"])["destination"]


def test_redelivered_body_is_deduplicated_by_the_queue(webhook: dict[str, Any]) -> None:
    body = body_of([follow_event("Ualice", "rt")])
    event = http_api_event(body, sign(DEV_CHANNEL_SECRET, body))
    assert _call(webhook, event)["statusCode"] == 200
    assert _call(webhook, event)["statusCode"] == 200
    assert len(_drain(webhook)) == 1


@pytest.mark.parametrize("header", ["x-line-signature", "X-Line-Signature", "X-LINE-SIGNATURE"])
def test_signature_header_name_is_case_insensitive(webhook: dict[str, Any], header: str) -> None:
    body = body_of([follow_event("Ualice", "rt")])
    event = http_api_event(body, None)
    event["headers"][header] = sign(DEV_CHANNEL_SECRET, body)
    assert _call(webhook, event)["statusCode"] == 200


def test_base64_body_is_verified_after_decoding(webhook: dict[str, Any]) -> None:
    body = body_of([text_event("Ualice", "rt", "こんにちは")])
    event = http_api_event(body, sign(DEV_CHANNEL_SECRET, body), base64_body=True)
    assert base64.b64decode(event["body"]) == body
    assert _call(webhook, event)["statusCode"] == 200
    assert len(_drain(webhook)) == 1


def test_invalid_signature_is_refused_and_body_never_logged(
    webhook: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    body = body_of([text_event("Ualice", "rt", "私の電話番号は090-1234-5678です")])
    response = _call(webhook, http_api_event(body, sign("wrong", body)))
    assert response["statusCode"] == 401
    assert _drain(webhook) == []
    out = capsys.readouterr()
    assert "090-1234-5678" not in out.out + out.err


def test_message_text_never_reaches_the_logs(
    webhook: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    body = body_of([text_event("Ualice", "rt", "新宿区西新宿二丁目8番1号 山田花子")])
    assert _call(webhook, http_api_event(body, sign(DEV_CHANNEL_SECRET, body)))["statusCode"] == 200
    out = capsys.readouterr()
    assert "webhook handled" in out.out  # the log line exists...
    assert "山田花子" not in out.out + out.err  # ...and carries no message text
    assert "西新宿" not in out.out + out.err


def test_queue_failure_answers_5xx(webhook: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTS_QUEUE_URL", webhook["queue_url"] + "-missing")
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
    webhook: dict[str, Any], sample: str, status: int, enqueued: int
) -> None:
    # The samples in events/ are what developers give `sam local invoke`: they must never go stale.
    event = json.loads((EVENTS_DIR / sample).read_text(encoding="utf-8"))
    assert _call(webhook, event)["statusCode"] == status
    assert len(_drain(webhook)) == enqueued


def test_samples_cover_the_directory() -> None:
    assert {p.name for p in EVENTS_DIR.glob("*.json")} == {
        "follow.json",
        "message-text.json",
        "postback.json",
        "url-check.json",
        "invalid-signature.json",
    }


def test_webhook_refuses_everything_until_staff_enter_the_channel_secret(
    aws: TemplateAws, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the secret as the template creates it: the placeholder, which anyone can read in our repo
    aws.client("secretsmanager").put_secret_value(
        SecretId=aws.secret_arn("LineChannelSecret"),
        SecretString=json.dumps({"channelId": "set-after-deploy", "channelSecret": "set-after-deploy"}),
    )
    handler = load_function_module("webhook").lambda_handler
    # When a forger signs a 削除する postback for a known resident with it
    body = body_of([text_event("Uknown", "rt", "削除する")])
    response = handler(http_api_event(body, sign("set-after-deploy", body)), FakeLambdaContext())
    # Then it is answered 503 and nothing reaches the queue; the log says why, never the value
    assert response["statusCode"] == 503
    assert _drain({"sqs": aws.client("sqs"), "queue_url": aws.queue_url("EventsQueue")}) == []
    out = capsys.readouterr().out
    assert "channel secret is still the deploy placeholder" in out
    assert "set-after-deploy" not in out
    # And staff see it counted under a name of its own
    assert '"WebhookSecretNotSet"' in out


def test_every_refusal_the_webhook_answers_is_counted_under_a_name_of_its_own(aws: TemplateAws) -> None:
    # Given the webhook's table of refusal metrics
    refusal_metrics = load_function_module("webhook").REFUSAL_METRICS
    # Then every answer other than "accepted" has a metric, and no two share one
    assert set(refusal_metrics) == set(IngressStatus) - {IngressStatus.ACCEPTED}
    assert len(set(refusal_metrics.values())) == len(refusal_metrics)


@pytest.mark.parametrize("body", ["e30", "e30==", "not base64!", "ｅ３０＝", "e3=0"])
def test_badly_encoded_base64_body_is_400_not_a_crash(webhook: dict[str, Any], body: str) -> None:
    # Given API Gateway says the body is base64 but it does not decode (bad padding, stray characters)
    event = http_api_event(b"{}", None)
    event.update(body=body, isBase64Encoded=True)
    # When it arrives, then it is refused as malformed before any signature work
    assert _call(webhook, event)["statusCode"] == 400


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(max_size=200), base64_body=st.booleans(), signed=st.booleans())
def test_any_request_is_answered_without_a_server_error(
    webhook: dict[str, Any], body: str, base64_body: bool, signed: bool
) -> None:
    # Given any text as body (lone surrogates included), base64-flagged or not, signed or not
    raw = body.encode("utf-8", errors="surrogatepass")
    event = http_api_event(raw, sign(DEV_CHANNEL_SECRET, raw) if signed else None)
    event.update(body=body, isBase64Encoded=base64_body)
    # When it arrives, then the webhook answers with a client error or 200, never a 5xx
    assert _call(webhook, event)["statusCode"] in {200, 400, 401}
