"""「登録情報の確認」 and 「登録情報の削除」 through the conversation worker: moto tables, the fake LINE.

After an erasure every table is read whole (Scan) for the resident's id and every piece of personal
data fed in: only the kept, PII-free application records and the audit's pseudonymous entries remain.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from tests.integration.conversation.conversation_stack import (
    REGION,
    Stack,
    follow_event,
    postback_event,
    text_event,
    unfollow_event,
    user_id,
)
from tests.integration.intake.intake_stack import sqs_record as intake_record
from tests.support.lambda_runtime import FakeLambdaContext, load_function_module

from civicline.adapters.dynamodb.data_rights import DynamoDataRights
from civicline.domain.data_rights.identity import audit_subject
from civicline.domain.errors import StoreUnavailable
from civicline.messages import text
from civicline.models.forms import SurveyResponse

ALICE = user_id(0xA11CE)
BOB = user_id(0xB0B)
# Logical ids of template.yaml (RightsStack resolves them to this test's tables).
AUDIT_TABLE = "AuditTable"
APPLICATIONS_TABLE = "ApplicationsTable"
# Everything personal about Alice that the stores hold before the erasure.
ALICE_DISPLAY_NAME = "山田花子"
ALICE_PICTURE = "https://profile.line-scdn.net/alice-icon"
ALICE_CIPHERTEXT = "AYADeALICE-SEALED-ANSWERS-CIPHERTEXT"
ALICE_MASKED = {"name": "山田 **", "address": "東京都新宿区西新宿 ***", "phone": "090-****-5678"}
ALICE_TYPED_NAME = "山田太郎"  # an answer typed into an open form conversation
# A survey comment as residents write them (the privacy review found this one kept after erasure).
ALICE_COMMENT = {"comment": "母の鈴木一子の代わりです。西新宿2-8-1、090-1234-5678。持病があり配達希望"}
ALICE_COMMENT_PII = ("鈴木一子", "西新宿2-8-1", "090-1234-5678", "持病")
BOB_CIPHERTEXT = "AYADeBOB-SEALED-ANSWERS"
RECEIVED_NUMBER = "KH-20261127-0042"
EXPORTED_NUMBER = "KH-20261101-0007"


@dataclass
class RightsStack:
    stack: Stack
    dynamodb: Any

    def run(self, event: dict[str, Any], receive_count: int = 1) -> list[str]:
        return self.stack.run(event, receive_count=receive_count)

    def table(self, logical_id: str) -> Any:
        return self.dynamodb.Table(self.stack.aws.table(logical_id))

    def scan(self, logical_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {}
        while True:
            page = self.table(logical_id).scan(**request)
            items += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def every_table(self) -> dict[str, list[dict[str, Any]]]:
        """Every table of template.yaml, read whole: logical id -> items."""
        return {logical_id: self.scan(logical_id) for logical_id in self.stack.aws.tables()}

    def application(self, application_id: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = (
            self.table(APPLICATIONS_TABLE)
            .get_item(Key={"applicationId": application_id}, ConsistentRead=True)
            .get("Item")
        )
        return item


def _application_item(  # noqa: PLR0917 - one item's fields, read side by side in _seed
    application_id: str, user: str, number: str, status: str, ciphertext: str, submitted: str
) -> dict[str, Any]:
    return {
        "applicationId": application_id,
        "recordType": "application",
        "formId": "koho_delivery",
        "formVersion": 1,
        "kind": "new",
        "userId": user,
        "submittedAt": submitted,
        "receivedAt": submitted.replace("000000", "123456"),
        "receptionNumber": number,
        "status": status,
        "pii": ciphertext,
        "piiMasked": dict(ALICE_MASKED) if user == ALICE else {"name": "佐藤 **"},
        "firstEdition": "2026-12-05",
    }


def _seed(rights: RightsStack) -> None:
    """Alice: profile and settings, an open form, a pending and an exported application, their guard, a
    survey answer. Bob: an application and its guard, which must stay untouched."""
    stack = rights.stack
    stack.fake.add_user(ALICE, ALICE_DISPLAY_NAME, picture_url=ALICE_PICTURE)
    assert rights.run(follow_event(stack.fake, ALICE, age_s=60)) == []
    assert (
        rights.run(postback_event(stack.fake, ALICE, "action=settings&item=area&v=wakamatsu", age_s=50)) == []
    )
    assert (
        rights.run(postback_event(stack.fake, ALICE, "action=settings&item=birth_year&v=1985", age_s=45))
        == []
    )
    stack.conversations_table.put_item(
        Item={
            "userId": ALICE,
            "flow": "form",
            "state": {"formId": "koho_delivery", "answers": {"name": ALICE_TYPED_NAME}},
            "version": 3,
            "expiresAt": int(time.time()) + 3600,
            "updatedAt": int(time.time()),
        }
    )
    applications = rights.table(APPLICATIONS_TABLE)
    for item in (
        _application_item(
            "app-alice-1",
            ALICE,
            RECEIVED_NUMBER,
            "received",
            ALICE_CIPHERTEXT,
            "2026-11-27T01:02:03.000000+00:00",
        ),
        {
            **_application_item(
                "app-alice-0",
                ALICE,
                EXPORTED_NUMBER,
                "exported",
                ALICE_CIPHERTEXT,
                "2026-11-01T01:02:03.000000+00:00",
            ),
            "exportedAt": "2026-11-02T00:00:00.000000+00:00",
            "exportId": "20261102T000000-export",
            "purgeAt": 1_900_000_000,
        },
        {
            "applicationId": f"guard#{ALICE}#koho_delivery#new",
            "recordType": "guard",
            "holderId": "app-alice-1",
            "receptionNumber": RECEIVED_NUMBER,
            "guardedAt": "2026-11-27T01:02:03.123456+00:00",
        },
        {
            "applicationId": "survey-alice-1",
            "recordType": "survey",
            "formId": "koho_survey",
            "formVersion": 1,
            "userId": ALICE,
            "submittedAt": "2026-11-20T01:02:03.000000+00:00",
            "receivedAt": "2026-11-20T01:02:04.000000+00:00",
            "answers": {"satisfaction": "good"},
        },
        _application_item(
            "app-bob-1",
            BOB,
            "KH-20261127-0043",
            "received",
            BOB_CIPHERTEXT,
            "2026-11-27T02:00:00.000000+00:00",
        ),
        {
            "applicationId": f"guard#{BOB}#koho_delivery#new",
            "recordType": "guard",
            "holderId": "app-bob-1",
            "receptionNumber": "KH-20261127-0043",
            "guardedAt": "2026-11-27T02:00:00.123456+00:00",
        },
    ):
        applications.put_item(Item=item)


@pytest.fixture
def rights(stack: Stack) -> RightsStack:
    seeded = RightsStack(stack=stack, dynamodb=boto3.resource("dynamodb", region_name=REGION))
    _seed(seeded)
    return seeded


def _flex_text(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def _button_data(message: dict[str, Any], label: str) -> str:
    for button in message["contents"].get("footer", {}).get("contents", []):
        if button["action"]["label"] == label:
            data: str = button["action"]["data"]
            return data
    raise AssertionError(f"no button {label!r}")


def _erase(rights: RightsStack) -> tuple[dict[str, Any], str]:
    """Alice asks for erasure and confirms; (the erase event, the worker's answer to it)."""
    assert rights.run(text_event(rights.stack.fake, ALICE, "登録情報の削除")) == []
    card = rights.stack.last_message(ALICE)
    assert card["type"] == "flex"
    tap = postback_event(rights.stack.fake, ALICE, _button_data(card, "削除する"))
    return tap, json.dumps(card, ensure_ascii=False)


def _personal_strings() -> tuple[str, ...]:
    return (
        ALICE,
        ALICE_DISPLAY_NAME,
        ALICE_PICTURE,
        ALICE_CIPHERTEXT,
        ALICE_TYPED_NAME,
        *ALICE_MASKED.values(),
    )


def test_disclosure_shows_what_is_held_masked_and_is_audited(rights: RightsStack) -> None:
    # When Alice sends 「登録情報の確認」
    assert rights.run(text_event(rights.stack.fake, ALICE, "登録情報の確認")) == []
    # Then she reads her profile, settings (her language too) and both applications with masked
    # answers, never the ciphertext
    sent = rights.stack.messages(ALICE)[-4:]
    shown = "\n".join(_flex_text(entry["message"]) for entry in sent)
    for expected in (
        ALICE_DISPLAY_NAME,
        "若松町",
        "1985年",
        '"text": "日本語"',
        RECEIVED_NUMBER,
        EXPORTED_NUMBER,
        *ALICE_MASKED.values(),
    ):
        assert expected in shown
    assert ALICE_CIPHERTEXT not in shown
    assert ALICE_TYPED_NAME not in shown  # an open form's answers are counted, not shown
    assert ALICE_PICTURE not in shown
    assert "KH-20261127-0043" not in shown  # Bob's
    # And the audit holds one disclosure under her pseudonym
    (entry,) = rights.scan(AUDIT_TABLE)
    assert entry["action"] == "disclosure"
    assert entry["subject"] == audit_subject(ALICE)
    assert entry["counts"] == {"profile": 1, "applications": 2, "surveys": 1}


def test_erasure_leaves_no_personal_data_in_any_table(
    rights: RightsStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Alice asked for erasure and got the confirmation card
    tap, card = _erase(rights)
    assert "1件は取り下げ" in card
    # When she taps 削除する
    assert rights.run(tap) == []
    # Then the reply says what was deleted and what the ward keeps (by reception number)
    said = rights.stack.last_message(ALICE)["text"]
    assert said.startswith(text("data_rights.erased.heading"))
    assert RECEIVED_NUMBER in said
    assert EXPORTED_NUMBER in said
    assert text("data_rights.erased.kept_audit") in said
    # And no table holds her id or any of her personal data
    tables = rights.every_table()
    for name, items in tables.items():
        for item in items:
            dumped = json.dumps(item, ensure_ascii=False, default=str)
            for secret in _personal_strings():
                assert secret not in dumped, f"{name} still holds personal data"
    # And what is kept is exactly the two applications' PII-free records, the survey answer and Bob's items
    kept = {item["applicationId"]: item for item in tables[APPLICATIONS_TABLE]}
    assert set(kept) == {
        "app-alice-1",
        "app-alice-0",
        "survey-alice-1",
        "app-bob-1",
        f"guard#{BOB}#koho_delivery#new",
    }
    pending = kept["app-alice-1"]
    assert pending["userId"] == "erased#app-alice-1"
    assert pending["status"] == "purged"
    assert pending["receptionNumber"] == RECEIVED_NUMBER
    assert "pii" not in pending
    assert "piiMasked" not in pending
    assert (pending["formId"], pending["kind"], pending["firstEdition"]) == (
        "koho_delivery",
        "new",
        "2026-12-05",
    )
    assert "erasedAt" in pending
    assert pending["purgeAt"] > int(time.time()) + 300 * 86400  # kept about a year, not forever
    exported = kept["app-alice-0"]
    assert exported["purgeAt"] == 1_900_000_000  # export's own retention stays
    assert exported["exportId"] == "20261102T000000-export"
    assert kept["survey-alice-1"]["answers"] == {"satisfaction": "good"}
    assert kept["survey-alice-1"]["userId"] == "erased#survey-alice-1"
    assert kept["app-bob-1"]["pii"] == BOB_CIPHERTEXT
    assert kept["app-bob-1"]["userId"] == BOB
    assert tables["UsersTable"] == []
    assert tables["ConversationsTable"] == []
    # And the audit proves the deletion under her pseudonym, with counts
    (deletion,) = [item for item in tables[AUDIT_TABLE] if item["action"] == "deletion"]
    assert deletion["subject"] == audit_subject(ALICE)
    assert deletion["counts"] == {
        "profile": 1,
        "conversation": 1,
        "applications": 2,
        "withdrawn": 1,
        "surveys": 1,
        "survey_free_texts": 0,
        "guards": 1,
    }
    # And the logs name none of her personal data
    logs = "".join(capsys.readouterr())
    assert "event handled" in logs
    for secret in _personal_strings():
        assert secret not in logs


def _survey_through_intake(rights: RightsStack) -> SurveyResponse:
    """Alice's survey response with a comment naming her, stored by the intake function as deployed."""
    response = SurveyResponse(
        response_id="survey-alice-2",
        user_id=ALICE,
        form_id="koho_survey",
        form_version=1,
        answers={"satisfaction": "2", "articles": "health", "improve": "delivery", **ALICE_COMMENT},
        submitted_at=datetime.now(UTC),
    )
    intake = load_function_module("intake")
    answer = intake.lambda_handler(
        {"Records": [intake_record(response.model_dump_json())]}, FakeLambdaContext()
    )
    assert answer["batchItemFailures"] == []
    return response


def test_a_survey_comment_naming_the_resident_is_disclosed_masked_and_erased_everywhere(
    rights: RightsStack,
) -> None:
    # Given Alice answered the survey with a comment holding her name, address, phone and an illness
    _survey_through_intake(rights)
    sealed = rights.application("survey-alice-2")
    assert sealed is not None
    ciphertext = sealed["freeText"]
    # When she asks what the ward holds
    assert rights.run(text_event(rights.stack.fake, ALICE, "登録情報の確認")) == []
    shown = "\n".join(_flex_text(entry["message"]) for entry in rights.stack.messages(ALICE)[-4:])
    # Then the comment is disclosed as held, masked, with its length only
    assert f"＊＊＊（{len(ALICE_COMMENT['comment'])}文字" in shown
    for secret in ALICE_COMMENT_PII:
        assert secret not in shown
    # When she asks for erasure: the card says the comment goes and only the choices stay, unlinked
    tap, card = _erase(rights)
    assert "自由記述（ご意見など）は削除し、選択式の回答だけを、どなたの回答か分からない形で" in card
    assert rights.run(tap) == []
    said = rights.stack.last_message(ALICE)["text"]
    assert "アンケートの自由記述（ご意見など）1件" in said
    assert "アンケートへのご回答2件の選択式の回答（どなたの回答か分からない形" in said
    # Then no table holds the comment, sealed or in clear, nor her id: the reply was true
    for name, items in rights.every_table().items():
        dumped = json.dumps(items, ensure_ascii=False, default=str)
        for secret in (*ALICE_COMMENT_PII, ciphertext, ALICE):
            assert secret not in dumped, f"{name} still holds the survey comment or her id"
    # And the kept response is the choices only, unlinked, and expires
    kept = rights.application("survey-alice-2")
    assert kept is not None
    assert kept["answers"] == {"satisfaction": "2", "articles": "health", "improve": "delivery"}
    assert kept["userId"] == "erased#survey-alice-2"
    assert "freeTextLengths" not in kept
    assert kept["purgeAt"] < int(time.time()) + 400 * 86400


def test_a_retry_after_a_partial_erasure_completes_it(
    rights: RightsStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the Users table fails once, after the applications and the conversation were erased
    tap, _ = _erase(rights)
    original = DynamoDataRights._delete
    failures = iter([True])

    def flaky_delete(resource: Any, user: str, name: str) -> bool:
        if name == "Users" and next(failures, False):
            raise StoreUnavailable("Users.delete_item failed: ProvisionedThroughputExceededException")
        return original(resource, user, name)

    monkeypatch.setattr(DynamoDataRights, "_delete", staticmethod(flaky_delete))
    assert rights.run(tap) == [tap["webhookEventId"]]
    assert rights.stack.user_item(ALICE) is not None  # half done
    assert rights.application("app-alice-1")["userId"] == "erased#app-alice-1"  # type: ignore[index]
    # When SQS hands the event over again
    assert rights.run(tap, receive_count=2) == []
    # Then the erasure is complete, audited once, and the resident told once
    assert rights.stack.user_item(ALICE) is None
    deletions = [item for item in rights.scan(AUDIT_TABLE) if item["action"] == "deletion"]
    assert len(deletions) == 1
    assert deletions[0]["counts"]["profile"] == 1
    erased_replies = [
        m
        for m in rights.stack.messages(ALICE)
        if m["message"].get("text", "").startswith(text("data_rights.erased.heading"))
    ]
    assert len(erased_replies) == 1
    for items in rights.every_table().values():
        assert ALICE not in json.dumps(items, ensure_ascii=False, default=str)


def test_nothing_brings_the_profile_back_but_the_residents_own_acts(rights: RightsStack) -> None:
    # Given Alice's data was erased
    tap, _ = _erase(rights)
    assert rights.run(tap) == []
    # When she chats, looks at her data, or blocks the account
    fake = rights.stack.fake
    assert rights.run(text_event(fake, ALICE, "こんにちは")) == []
    assert rights.run(text_event(fake, ALICE, "登録情報の確認")) == []
    assert rights.stack.last_message(ALICE)["text"] == text("data_rights.none")
    assert rights.run(unfollow_event(fake, ALICE)) == []
    # Then no profile is recreated
    assert rights.stack.user_item(ALICE) is None
    # But a new follow is her own act, and records her afresh
    assert rights.run(follow_event(fake, ALICE, unblocked=True)) == []
    again = rights.stack.user_item(ALICE)
    assert again is not None
    assert "area" not in again


def test_cancel_keeps_everything(rights: RightsStack) -> None:
    assert rights.run(text_event(rights.stack.fake, ALICE, "登録情報の削除")) == []
    data = _button_data(rights.stack.last_message(ALICE), "やめる")
    assert rights.run(postback_event(rights.stack.fake, ALICE, data)) == []
    assert rights.stack.last_message(ALICE)["text"] == text("data_rights.cancelled")
    assert rights.stack.user_item(ALICE) is not None
    assert rights.application("app-alice-1")["pii"] == ALICE_CIPHERTEXT  # type: ignore[index]
