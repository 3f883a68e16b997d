"""The conversation worker end to end in-process: SQS batch in, Users/Conversations in moto, LINE faked."""

from __future__ import annotations

import uuid

import pytest
from tests.integration.conversation.conversation_stack import (
    PRIVACY_URL,
    Stack,
    follow_event,
    postback_event,
    quick_reply_data,
    text_event,
    unfollow_event,
    user_id,
)

from civicline.adapters.line.outbox import RETRY_KEY_NAMESPACE
from civicline.messages import text

ALICE = user_id(0xA11CE)


def test_follow_records_the_resident_and_replies_with_the_greeting(stack: Stack) -> None:
    # Given LINE knows the resident's profile
    stack.fake.add_user(ALICE, "山田花子", picture_url="https://profile.line-scdn.net/alice")
    # When they follow the account
    assert stack.run(follow_event(stack.fake, ALICE)) == []
    # Then Users holds them as active with name and icon, and the greeting came as a reply
    item = stack.user_item(ALICE)
    assert item is not None
    assert item["status"] == "active"
    assert item["displayName"] == "山田花子"
    assert item["pictureUrl"] == "https://profile.line-scdn.net/alice"
    assert "followedAt" in item
    assert "purgeAt" not in item
    (sent,) = stack.messages(ALICE)
    assert sent["via"] == "reply"
    assert PRIVACY_URL in sent["message"]["text"]
    assert quick_reply_data(sent["message"], "受信設定") == "action=settings"


def test_a_resident_is_answered_in_their_lines_language_then_in_the_one_they_choose(stack: Stack) -> None:
    # Given LINE knows the resident's app is in Korean
    stack.fake.add_user(ALICE, "김민지", language="ko")
    # When they follow, Then Users holds Korean and the greeting says in Korean how to change it
    stack.run(follow_event(stack.fake, ALICE, age_s=30))
    item = stack.user_item(ALICE)
    assert item is not None
    assert item["language"] == "ko"
    greeting = stack.last_message(ALICE)
    assert greeting["text"].endswith(text("language.greeting_hint", "ko", language="한국어"))
    # When they type the word for "language" in Vietnamese and tap Tiếng Việt
    stack.run(text_event(stack.fake, ALICE, "ngôn ngữ", age_s=20))
    offered = stack.last_message(ALICE)
    assert offered["text"] == text("language.prompt", "ko", current="한국어")
    stack.run(postback_event(stack.fake, ALICE, quick_reply_data(offered, "Tiếng Việt"), age_s=10))
    # Then Users holds Vietnamese, and it is what every answer is in from then on
    item = stack.user_item(ALICE)
    assert item is not None
    assert item["language"] == "vi"
    assert stack.last_message(ALICE)["text"] == text("language.changed", "vi", language="Tiếng Việt")
    stack.run(text_event(stack.fake, ALICE, "こんにちは"))
    assert stack.last_message(ALICE)["text"] == text("help.fallback", "vi")


def test_refollow_keeps_settings_and_says_welcome_back(stack: Stack) -> None:
    # Given a resident with an area who blocked the account
    stack.fake.add_user(ALICE, "山田花子")
    stack.run(follow_event(stack.fake, ALICE, age_s=30))
    stack.run(postback_event(stack.fake, ALICE, "action=settings&item=area&v=ochiai1", age_s=20))
    unfollow = unfollow_event(stack.fake, ALICE, age_s=10)
    assert stack.run(unfollow) == []
    blocked = stack.user_item(ALICE)
    assert blocked is not None
    assert blocked["status"] == "blocked"
    assert blocked["purgeAt"] == unfollow["timestamp"] // 1000 + 7 * 86400  # UNFOLLOWED_RETENTION_DAYS
    # When they unblock it
    assert stack.run(follow_event(stack.fake, ALICE, unblocked=True)) == []
    # Then they are active again, purge cancelled, area kept, and welcomed back
    item = stack.user_item(ALICE)
    assert item is not None
    assert item["status"] == "active"
    assert "purgeAt" not in item
    assert "unfollowedAt" not in item
    assert item["area"] == "ochiai1"
    assert stack.last_message(ALICE)["text"] == text("residents.welcome_back")


def test_settings_by_quick_replies_are_stored_and_shown_back(stack: Stack) -> None:
    # Given a new follower
    stack.fake.add_user(ALICE, "山田花子")
    stack.run(follow_event(stack.fake, ALICE))
    # When they tap through 受信設定 from the greeting's quick reply
    taps = ["受信設定", "1980年代", "1985年（昭和60年）", "男性", "若松町", "子育て・教育", "完了"]
    for label in taps:
        data = quick_reply_data(stack.last_message(ALICE), label)
        assert stack.run(postback_event(stack.fake, ALICE, data)) == []
    # Then Users holds the answers and the last message is the settings card
    item = stack.user_item(ALICE)
    assert item is not None
    assert (item["birthYear"], item["gender"], item["area"], item["genres"]) == (
        1985,
        "male",
        "wakamatsu",
        {"kosodate"},
    )
    card = stack.last_message(ALICE)
    assert card["type"] == "flex"
    shown = str(card["contents"])
    assert all(value in shown for value in ("1985年（昭和60年）", "男性", "若松町", "子育て・教育"))
    assert stack.conversation_item(ALICE) is None


def test_a_typed_japanese_year_is_stored(stack: Stack) -> None:
    stack.run(text_event(stack.fake, ALICE, "受信設定"))
    conversation = stack.conversation_item(ALICE)
    assert conversation is not None
    assert conversation["flow"] == "settings"
    assert stack.run(text_event(stack.fake, ALICE, "平成元年")) == []
    item = stack.user_item(ALICE)
    assert item is not None
    assert item["birthYear"] == 1989
    assert "性別" in stack.last_message(ALICE)["text"]


def test_a_stale_event_is_answered_by_push_with_a_retry_key(stack: Stack) -> None:
    # Given a postback that waited two minutes in the queue
    event = postback_event(stack.fake, ALICE, "action=settings&item=gender", age_s=120)
    # When it is handled
    assert stack.run(event) == []
    # Then the answer is pushed, keyed on the event so that a retried push is not sent twice
    (push,) = stack.fake.requests(path="/v2/bot/message/push")
    assert push["retryKey"] == str(uuid.uuid5(RETRY_KEY_NAMESPACE, event["webhookEventId"]))
    assert stack.fake.requests(path="/v2/bot/message/reply") == []


def test_a_stale_help_line_is_not_sent_at_all(stack: Stack) -> None:
    event = text_event(stack.fake, ALICE, "ありがとう", age_s=120)
    assert stack.run(event) == []
    assert stack.messages(ALICE) == []


def test_a_redelivered_event_is_answered_once(stack: Stack) -> None:
    # Given a follow that was handled
    stack.fake.add_user(ALICE, "山田花子")
    event = follow_event(stack.fake, ALICE)
    stack.run(event)
    # When LINE redelivers it (past the queue's de-duplication window) and the queue retries it
    redelivered = {**event, "deliveryContext": {"isRedelivery": True}}
    assert stack.run(redelivered) == []
    assert stack.run(event, receive_count=2) == []
    # Then the resident got one greeting
    assert len(stack.messages(ALICE)) == 1


def test_a_first_seen_redelivery_is_pushed(stack: Stack) -> None:
    stack.fake.add_user(ALICE, "山田花子")
    event = follow_event(stack.fake, ALICE)
    event["deliveryContext"] = {"isRedelivery": True}
    assert stack.run(event) == []
    (sent,) = stack.messages(ALICE)
    assert sent["via"] == "push"


def test_standby_events_are_never_answered(stack: Stack) -> None:
    event = text_event(stack.fake, ALICE, "受信設定")
    event["mode"] = "standby"
    event.pop("replyToken")
    assert stack.run(event) == []
    assert stack.fake.requests(path="/v2/bot/message/reply") == []
    assert stack.fake.requests(path="/v2/bot/message/push") == []
    assert stack.conversation_item(ALICE) is None


def test_line_failing_reports_the_record_and_a_retry_completes_it_once(stack: Stack) -> None:
    # Given LINE answers the next reply with 500
    stack.fake.add_user(ALICE, "山田花子")
    stack.fake.set_faults({"next": {"reply": ["server_error"]}})
    event = follow_event(stack.fake, ALICE)
    # When the follow is handled, Then the record is reported failed for SQS to retry
    assert stack.run(event) == [event["webhookEventId"]]
    # And Users holds a whole, consistent resident (one UpdateItem), nothing half-written
    item = stack.user_item(ALICE)
    assert item is not None
    assert item["status"] == "active"
    assert item["displayName"] == "山田花子"
    assert stack.messages(ALICE) == []
    # When SQS hands the record over again, Then the greeting is pushed, once
    assert stack.run(event, receive_count=2) == []
    assert [m["via"] for m in stack.messages(ALICE)] == ["push"]
    assert stack.run(event, receive_count=3) == []
    assert len(stack.messages(ALICE)) == 1


def test_a_failed_record_holds_back_the_rest_of_its_group_only(stack: Stack) -> None:
    bob = user_id(0xB0B)
    stack.fake.set_faults({"next": {"reply": ["server_error"]}})
    first = text_event(stack.fake, ALICE, "受信設定")
    second = postback_event(stack.fake, ALICE, "action=settings&item=birth_year&v=1990")
    other = postback_event(stack.fake, bob, "action=settings&item=gender&v=female")
    failed = stack.run(first, second, other)
    # Then Alice's later event is handed back unprocessed, Bob's is done
    assert failed == [first["webhookEventId"], second["webhookEventId"]]
    assert stack.user_item(ALICE) is None
    bob_item = stack.user_item(bob)
    assert bob_item is not None
    assert bob_item["gender"] == "female"


def test_logs_hold_no_display_name_or_message_text(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.fake.add_user(ALICE, "秘密の表示名")
    stack.run(follow_event(stack.fake, ALICE))
    stack.run(text_event(stack.fake, ALICE, "受信設定"))
    stack.run(text_event(stack.fake, ALICE, "誰にも見せない本文"))
    stack.fake.set_faults({"next": {"reply": ["server_error"]}})
    stack.run(text_event(stack.fake, ALICE, "失敗しても秘密の本文"))
    captured = capsys.readouterr()
    logs = captured.out + captured.err
    assert "event handled" in logs  # the logs were captured at all
    for secret in ("秘密の表示名", "誰にも見せない本文", "失敗しても秘密の本文"):
        assert secret not in logs


def test_an_unusable_reply_token_falls_back_to_push(stack: Stack) -> None:
    # Given a fresh event whose reply token LINE no longer accepts
    event = postback_event(stack.fake, ALICE, "action=settings&item=area")
    event["replyToken"] = "0" * 32
    # When it is handled, Then the answer is pushed instead
    assert stack.run(event) == []
    assert [m["via"] for m in stack.messages(ALICE)] == ["push"]


def test_a_push_whose_answer_was_lost_is_not_sent_twice(stack: Stack) -> None:
    # Given LINE accepts a push but the connection drops before its answer
    stack.fake.set_faults({"next": {"push": ["accepted_then_dropped"]}})
    event = postback_event(stack.fake, ALICE, "action=settings&item=gender", age_s=90)
    # When the worker fails the record and SQS retries it
    assert stack.run(event) == [event["webhookEventId"]]
    assert stack.run(event, receive_count=2) == []
    # Then the retry's push (same retry key) is recognised by LINE, and the resident reads it once
    assert len(stack.messages(ALICE)) == 1
    keys = {request["retryKey"] for request in stack.fake.requests(path="/v2/bot/message/push")}
    assert keys == {str(uuid.uuid5(RETRY_KEY_NAMESPACE, event["webhookEventId"]))}
