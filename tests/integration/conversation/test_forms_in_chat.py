"""電子申請 through the conversation worker: SQS batch in, Conversations and the applications queue in
moto, replies (text and the Flex confirmation card) checked by the fake LINE with line-bot-sdk's models."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from tests.integration.conversation.conversation_stack import (
    REGION,
    Stack,
    postback_event,
    text_event,
    unsend_event,
    user_id,
)

from civicline.adapters.sqs.applications_queue import parse_submission
from civicline.models.forms import Application, SurveyResponse

HANAKO = user_id(0x4A4A)
NAME, KANA, POSTAL, DETAIL, PHONE = (
    "新宿　花子",
    "シンジュク ハナコ",
    "〒１６０－００２２",
    "5-1 新宿ハイツ305",
    "03-1111-2222",
)


def assert_only_the_receipt_is_kept(item: dict[str, Any] | None, said: list[str]) -> None:
    """After sending, the slot keeps which form was sent (for a second tap) and the LINE ids of the
    messages typed for it (for a retraction), no answer, for 30 minutes."""
    assert item is not None
    assert (item["flow"], item["state"]["form_id"]) == ("form.sent", "koho_delivery")
    assert set(item["state"]) == {"form_id", "message_ids"}
    assert set(item["state"]["message_ids"]) <= set(said)
    assert int(item["expiresAt"]) - time.time() <= 30 * 60


class FormsStack:
    """The worker's stack, reading what it queued on the template's ApplicationsQueue."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.queue_name = stack.aws.queue_name("ApplicationsQueue")
        self.queue_url = stack.aws.queue_url("ApplicationsQueue")
        self.seen = 0
        self.said: list[str] = []  # LINE message ids of what the resident typed, in order

    # -- the resident ------------------------------------------------------------------------------
    def _run(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        failed = self.stack.run(event)
        assert failed == [], "the worker failed the event"
        return self.latest()

    def latest(self) -> list[dict[str, Any]]:
        sent = [entry["message"] for entry in self.stack.messages(HANAKO)]
        batch, self.seen = sent[self.seen :], len(sent)
        self.batch = batch
        return batch

    def say(self, *texts: str) -> list[dict[str, Any]]:
        for typed in texts:
            event = text_event(self.stack.fake, HANAKO, typed)
            self.said.append(event["message"]["id"])
            self._run(event)
        return self.batch

    def unsend(self, message_id: str) -> list[dict[str, Any]]:
        """The resident retracts a message they typed (LINE's 送信取消): an event with no reply token."""
        return self._run(unsend_event(self.stack.fake, HANAKO, message_id))

    def postback(self, data: str) -> list[dict[str, Any]]:
        return self._run(postback_event(self.stack.fake, HANAKO, data))

    def tap(self, label: str) -> list[dict[str, Any]]:
        for action in _actions(self.batch):
            if action.get("label") == label:
                return self.postback(str(action["data"]))
        raise AssertionError(f"no {label!r} in {[a.get('label') for a in _actions(self.batch)]}")

    # -- what is stored and queued ----------------------------------------------------------------
    def conversation(self) -> dict[str, Any] | None:
        return self.stack.conversation_item(HANAKO)

    def queued(self) -> list[Application | SurveyResponse]:
        bodies: list[str] = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
            if not got.get("Messages"):
                return [parse_submission(body) for body in bodies]
            bodies += [m["Body"] for m in got["Messages"]]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _actions(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n["action"] for n in _walk(messages) if isinstance(n.get("action"), dict)]


def _flex(messages: list[dict[str, Any]]) -> dict[str, Any]:
    flexes = [m for m in messages if m["type"] == "flex"]
    assert len(flexes) == 1, messages
    return flexes[0]


def _texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(n["text"]) for n in _walk(messages) if isinstance(n.get("text"), str))


@pytest.fixture
def forms(stack: Stack) -> FormsStack:
    return FormsStack(stack)


def _to_card(forms: FormsStack) -> None:
    forms.postback("action=apply_menu")
    forms.tap("個別配達の新規申込")
    forms.say(NAME, KANA, POSTAL)
    forms.tap("はい")
    forms.say(DETAIL, PHONE)


def test_a_new_subscription_in_chat_reaches_the_applications_queue(
    forms: FormsStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the resident went through the form by taps and typing
    _to_card(forms)
    # Then the confirmation is a Flex card (accepted by the SDK's models) with the answers and buttons
    card = _flex(forms.batch)
    assert "東京都新宿区新宿5-1" in _texts([card])
    assert [a["label"] for a in _actions([card])] == ["送信する", "修正する", "戻る", "やめる"]
    assert "花子" not in card["altText"]  # the alt text names the form, not the answers
    # And the Conversations item is the form's, with a TTL about a day ahead
    item = forms.conversation()
    assert item is not None
    assert item["flow"] == "form"
    assert item["state"]["step_id"] == "@confirm"
    assert 23 * 3600 < int(item["expiresAt"]) - time.time() <= 24 * 3600
    # When they tap 送信する
    forms.tap("送信する")
    # Then one Application is on the queue, the conversation is gone and they are thanked
    (application,) = forms.queued()
    assert isinstance(application, Application)
    assert application.user_id == HANAKO
    assert application.kind == "new"
    assert application.answers.name == "新宿 花子"
    assert application.answers.phone == "+81311112222"
    assert_only_the_receipt_is_kept(forms.conversation(), forms.said)
    assert "個別配達のお申込みを送信しました" in _texts(forms.batch)
    # And nothing the resident typed reached the worker's logs
    logs = capsys.readouterr()
    # Distinctive strings only: short ones such as "5-1" also occur inside request ids and uuids.
    for typed in ("花子", "ハナコ", "新宿ハイツ", "1111-2222", "311112222"):
        assert typed not in logs.out + logs.err


def test_each_answer_is_written_with_the_version_it_read(forms: FormsStack) -> None:
    forms.postback("action=apply_menu")
    forms.tap("個別配達の新規申込")
    first = forms.conversation()
    forms.say(NAME)
    second = forms.conversation()
    assert first is not None
    assert second is not None
    assert int(second["version"]) == int(first["version"]) + 1
    assert second["state"]["answers"]["name"] == "新宿 花子"


def test_a_survey_in_chat_is_queued_as_a_survey_response(forms: FormsStack) -> None:
    forms.postback("action=apply_menu")
    forms.tap("読者アンケート")
    forms.tap("とても満足")
    forms.tap("健康・医療")
    forms.tap("スキップ")
    forms.tap("送信する")
    (response,) = forms.queued()
    assert isinstance(response, SurveyResponse)
    assert response.answers == {"satisfaction": "5", "articles": "health", "comment": None}


def test_when_the_queue_fails_the_event_is_retried_with_the_form_kept(forms: FormsStack) -> None:
    _to_card(forms)
    forms.sqs.delete_queue(QueueUrl=forms.queue_url)
    submit = postback_event(forms.stack.fake, HANAKO, "form:@confirm:@submit")
    # When 送信 cannot be enqueued, the record fails (SQS will hand it over again)
    assert forms.stack.run(submit) == [submit["webhookEventId"]]
    item = forms.conversation()
    assert item is not None
    assert item["state"]["step_id"] == "@confirm"
    # And when the queue is back, the retry goes through once
    forms.queue_url = forms.sqs.create_queue(QueueName=forms.queue_name)["QueueUrl"]
    assert forms.stack.run(submit, receive_count=2) == []
    assert len(forms.queued()) == 1
    assert_only_the_receipt_is_kept(forms.conversation(), forms.said)


def test_status_lists_the_residents_stored_applications(forms: FormsStack) -> None:
    # Given intake stored an application of the resident (as it writes them)
    boto3.resource("dynamodb", region_name=REGION).Table(forms.stack.aws.table("ApplicationsTable")).put_item(
        Item={
            "applicationId": "app-1",
            "recordType": "application",
            "formId": "koho_delivery",
            "formVersion": 1,
            "kind": "new",
            "userId": HANAKO,
            "submittedAt": "2025-06-01T01:00:00.000000+00:00",
            "receivedAt": "2025-06-01T01:00:01.000000+00:00",
            "receptionNumber": "KH-20250601-0001",
            "status": "received",
            "pii": "ciphertext",
        }
    )
    # When they type 申請状況
    forms.say("申請状況")
    # Then a card lists it by reception number and status
    text = _texts([_flex(forms.batch)])
    assert "KH-20250601-0001" in text
    assert "受付済み" in text


def test_the_menu_tile_and_a_form_button_with_nothing_open(forms: FormsStack) -> None:
    forms.postback("action=apply_menu")
    assert "申請状況" in [a["label"] for a in _actions(forms.batch)]
    forms.postback("form:@confirm:@submit")
    assert "入力中のお手続きはありません" in _texts(forms.batch)
    assert forms.queued() == []
    assert [a["label"] for a in _actions(forms.batch)].count("個別配達の新規申込") == 1


def test_a_retracted_answer_is_dropped_and_asked_again_and_a_sent_form_stays_sent(
    forms: FormsStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a resident who typed their name and フリガナ in the form
    forms.postback("action=apply_menu")
    forms.tap("個別配達の新規申込")
    forms.say(NAME, KANA)
    kana_message = forms.said[-1]
    # When they retract (送信取消) the message with the フリガナ
    pushed = forms.unsend(kana_message)
    # Then the フリガナ is no longer stored, and a push (an unsend has no reply token) asks for it again
    item = forms.conversation()
    assert item is not None
    assert "kana" not in item["state"]["answers"]
    assert item["state"]["step_id"] == "kana"
    assert "送信を取り消されたメッセージのお答えを取り消しました" in _texts(pushed)
    assert forms.stack.fake.requests(path="/v2/bot/message/push")
    # And the same retraction delivered again (a new event) changes nothing and says nothing
    assert forms.unsend(kana_message) == []
    assert forms.conversation() == item
    # When they answer again, finish and send the form, then retract the message with their name
    forms.say(KANA, POSTAL)
    forms.tap("はい")
    forms.say(DETAIL, PHONE)
    forms.tap("送信する")
    assert len(forms.queued()) == 1
    told = forms.unsend(forms.said[0])
    # Then they are told it was already sent and stays as sent, and nothing is withdrawn or sent again
    assert "送信済みの「広報新宿の個別配達」へのお答えでした" in _texts(told)
    assert forms.queued() == []
    assert_only_the_receipt_is_kept(forms.conversation(), forms.said)
    # And nothing they typed reached the logs
    logs = capsys.readouterr()
    for typed in ("花子", "ハナコ", "新宿ハイツ", "1111-2222"):
        assert typed not in logs.out + logs.err
