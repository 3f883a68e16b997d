"""Residents on LINE through the local stack: webhook → events.fifo → conversation worker → fake LINE."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "line_events"
USERS_TABLE = "civicline-local-UsersTable"
_sequence = iter(range(1, 1_000_000))


def _event(stack: LocalStackProcess, name: str, user: str, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))
    event["webhookEventId"] = f"01JE2E{next(_sequence):020d}"
    event["timestamp"] = int(time.time() * 1000)
    source = event.get("source")
    if isinstance(source, dict) and "userId" in source:
        source["userId"] = user
    if "replyToken" in event:
        event["replyToken"] = stack.line_reply_token(user)
    event.update(fields)
    return event


def _deliver(stack: LocalStackProcess, *events: dict[str, Any]) -> None:
    status, _ = stack.post_webhook({"destination": "U" + "d" * 32, "events": list(events)})
    assert status == 200
    assert stack.wait_until_idle(60)


def _last_message(stack: LocalStackProcess, user: str) -> dict[str, Any]:
    messages = stack.line_messages_for(user)
    assert messages, "the resident got nothing"
    message: dict[str, Any] = messages[-1]["message"]
    return message


def _tap(stack: LocalStackProcess, user: str, label: str) -> None:
    items = _last_message(stack, user).get("quickReply", {}).get("items", [])
    data = next((i["action"]["data"] for i in items if i["action"]["label"] == label), None)
    assert data is not None, f"no quick reply {label!r}"
    _deliver(stack, _event(stack, "postback", user, postback={"data": data}))


def _dead_letters(stack: LocalStackProcess) -> int:
    sqs = stack.boto3_client("sqs")
    url = next(u for u in sqs.list_queues()["QueueUrls"] if u.endswith("-events-dlq.fifo"))
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_follow_greeting_settings_stored_and_shown_back(local_stack: LocalStackProcess) -> None:
    resident = "U" + "e2e0" * 8
    local_stack.line_add_user(resident, "受信設定テスト")
    # Given a resident follows the account, Then they are greeted with the 受信設定 quick reply
    _deliver(local_stack, _event(local_stack, "follow", resident))
    assert "受信設定" in _last_message(local_stack, resident)["text"]
    # When they answer every question by quick replies
    for label in ["受信設定", "1960年代", "1964年（昭和39年）", "回答しない", "角筈", "防災・安全", "完了"]:
        _tap(local_stack, resident, label)
    # Then Users holds their settings, and the card shows them back
    item = local_stack.boto3_client("dynamodb").get_item(
        TableName=USERS_TABLE, Key={"userId": {"S": resident}}
    )["Item"]
    assert item["status"]["S"] == "active"
    assert item["birthYear"]["N"] == "1964"
    assert "gender" not in item
    assert item["area"]["S"] == "tsunohazu"
    assert item["genres"]["SS"] == ["bousai"]
    card = _last_message(local_stack, resident)
    assert card["type"] == "flex"
    assert "角筈" in json.dumps(card, ensure_ascii=False)
    # And the logs never held the resident's display name
    assert "受信設定テスト" not in local_stack.log_text()


def test_every_event_type_passes_webhook_and_worker_without_dead_letters(
    local_stack: LocalStackProcess,
) -> None:
    resident = "U" + "ca7a" * 8
    local_stack.line_add_user(resident, "カタログ")
    events = [_event(local_stack, path.stem, resident) for path in sorted(FIXTURES.glob("*.json"))]
    for start in range(0, len(events), 10):
        _deliver(local_stack, *events[start : start + 10])
    assert _dead_letters(local_stack) == 0
    assert "Traceback" not in (local_stack.log_dir / "ConversationFunction.log").read_text(encoding="utf-8")
