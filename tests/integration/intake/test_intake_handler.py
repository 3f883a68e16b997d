"""Intake end to end against moto and the fake LINE: stored once, sealed, confirmed once."""

from __future__ import annotations

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from aws_encryption_sdk import EncryptionSDKClient, StrictAwsKmsMasterKeyProvider
from tests.integration.emf_metrics import emf_counts
from tests.integration.intake.intake_stack import (
    IntakeStack,
    sqs_record,
)
from tests.unit.applications.applications_fakes import ANSWERS, USER, application, survey

from civicline.adapters.line.confirmation import confirmation_retry_key
from civicline.domain.applications.errors import PiiUnreadable
from civicline.domain.applications.reception import RECEPTION_NUMBER_PATTERN
from civicline.domain.applications.status import StatusQuery
from civicline.domain.applications.surveys import survey_counts
from civicline.domain.chat.replies import Card, resolved
from civicline.models.forms import ApplicantAnswers

COMMENT = {"comment": "山田太郎です。西新宿2-8-1に住んでいます。090-1234-5678、持病があり配達を希望します"}
COMMENT_PII = ("山田太郎", "西新宿2-8-1", "090-1234-5678", "持病")
PLAIN_PII = (
    ANSWERS.name,
    "太郎",
    "ヤマダ タロウ",  # ANSWERS.kana
    ANSWERS.address,
    "2-8-1",
    "新宿ハイツ",
    ANSWERS.phone,
    "9012345678",
    "090-1234-5678",
)


def _body(model: Any) -> str:
    return str(model.model_dump_json())


def _string(item: dict[str, Any], name: str) -> str:
    return str(item[name]["S"])


def _faults(stack: IntakeStack, faults: list[str]) -> None:
    answer = requests.post(f"{stack.fake.url}/_sim/faults", json={"next": {"push": faults}}, timeout=5)
    answer.raise_for_status()


def test_an_application_is_stored_once_sealed_and_confirmed(stack: IntakeStack) -> None:
    # Given a completed 新規申込 on the queue
    submitted = application()
    # When intake handles it
    assert stack.deliver(sqs_record(_body(submitted))) == []
    # Then one application item is stored, received, numbered, with the answers sealed under the PII key
    (item,) = stack.items("application")
    assert _string(item, "applicationId") == submitted.submission_id
    assert _string(item, "status") == "received"
    assert _string(item, "userId") == USER
    assert _string(item, "kind") == "new"
    assert _string(item, "firstEdition") == "2026-12-15"
    number = _string(item, "receptionNumber")
    assert RECEPTION_NUMBER_PATTERN.match(number)
    assert item["piiMasked"]["M"]["phone"]["S"] == "090-****-5678"
    cipher = stack.pii
    assert cipher.open(_string(item, "pii"), submitted.submission_id, "koho_delivery") == ANSWERS
    stored = json.dumps(item, ensure_ascii=False)
    for plain in PLAIN_PII:
        assert plain not in stored
    # ... bound to its item: the ciphertext does not open under another application's context
    with pytest.raises(PiiUnreadable):
        cipher.open(_string(item, "pii"), "another-application", "koho_delivery")
    # ... the guard names it, under the documented key
    (guard,) = stack.items("guard")
    assert _string(guard, "applicationId") == f"guard#{USER}#koho_delivery#new"
    assert _string(guard, "holderId") == submitted.submission_id
    assert "userId" not in guard
    assert "formId" not in guard
    # And the resident got one card with the number, pushed with the submission's retry key
    (push,) = stack.pushes()
    assert push["retryKey"] == confirmation_retry_key(submitted.submission_id)
    (message,) = push["body"]["messages"]
    assert message["type"] == "flex"
    assert number in message["altText"]
    assert number in json.dumps(message["contents"], ensure_ascii=False)
    assert "090-****-5678" in json.dumps(message["contents"], ensure_ascii=False)
    assert len(stack.received_by(USER)) == 1


def test_the_same_message_delivered_twice_is_one_item_and_one_card(stack: IntakeStack) -> None:
    body = _body(application())
    # When SQS hands over the same message twice in a batch, then once more later
    assert stack.deliver(sqs_record(body), sqs_record(body)) == []
    assert stack.deliver(sqs_record(body, receive_count=2)) == []
    # Then one application is stored and the resident read one card
    assert len(stack.items("application")) == 1
    assert len(stack.received_by(USER)) == 1


def test_another_submission_of_a_pending_kind_is_refused_with_an_explanation(stack: IntakeStack) -> None:
    # Given a pending 新規申込
    assert stack.deliver(sqs_record(_body(application("c1")))) == []
    (first,) = stack.items("application")
    # When the resident submits 新規申込 again from a new conversation
    assert stack.deliver(sqs_record(_body(application("c2")))) == []
    # Then nothing more is stored, and the explanation names the pending application
    assert len(stack.items("application")) == 1
    received = stack.received_by(USER)
    assert len(received) == 2
    refusal = received[1]["message"]
    assert refusal["type"] == "text"
    assert _string(first, "receptionNumber") in refusal["text"]
    assert "二重" in refusal["text"]


def test_a_failed_push_is_retried_without_storing_twice(stack: IntakeStack) -> None:
    # Given LINE answers the next push with a 500
    _faults(stack, ["server_error"])
    record = sqs_record(_body(application()))
    # When intake handles the application
    failed = stack.deliver(record)
    # Then the application is stored, but the record is reported failed for SQS to retry
    assert failed == [record["messageId"]]
    (stored,) = stack.items("application")
    assert stack.received_by(USER) == []
    # When SQS redelivers it
    assert stack.deliver(sqs_record(record["body"], record["messageId"], receive_count=2)) == []
    # Then still one item, the same number, and one card
    (again,) = stack.items("application")
    assert again == stored
    (card,) = stack.received_by(USER)
    assert _string(stored, "receptionNumber") in card["message"]["altText"]


def test_a_push_accepted_but_unanswered_is_not_shown_twice(stack: IntakeStack) -> None:
    # Given LINE accepts the next push and the answer is lost on the way
    _faults(stack, ["accepted_then_dropped"])
    record = sqs_record(_body(application()))
    assert stack.deliver(record) == [record["messageId"]]
    # When the record is retried, LINE recognises the retry key (409)
    assert stack.deliver(sqs_record(record["body"], record["messageId"], receive_count=2)) == []
    # Then the resident read the card once
    assert len(stack.received_by(USER)) == 1
    assert len(stack.items("application")) == 1


def test_a_crash_after_the_store_before_its_idempotency_record_stores_nothing_twice(
    stack: IntakeStack,
) -> None:
    # Given a run that stored the application and died before recording it as done (no card sent)
    submitted = application()
    first = stack.service.store_application(submitted)
    assert stack.received_by(USER) == []
    # When SQS redelivers the message
    assert stack.deliver(sqs_record(_body(submitted), receive_count=2)) == []
    # Then one item with the first number, and one card with it
    (item,) = stack.items("application")
    assert _string(item, "receptionNumber") == first.reception_number
    (card,) = stack.received_by(USER)
    assert first.reception_number in card["message"]["altText"]


def test_a_crash_after_the_idempotency_record_before_the_push_still_confirms_once(
    stack: IntakeStack,
) -> None:
    # Given a run that stored and recorded the outcome, then died before pushing
    submitted = application()
    first = stack.service.store_once(application=submitted)
    # When SQS redelivers the message twice
    assert stack.deliver(sqs_record(_body(submitted), receive_count=2)) == []
    assert stack.deliver(sqs_record(_body(submitted), receive_count=3)) == []
    # Then one item, and one card with the recorded number
    assert len(stack.items("application")) == 1
    (card,) = stack.received_by(USER)
    assert first.reception_number in card["message"]["altText"]


@pytest.fixture
def atomic_aws_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each moto call made atomic, as each real DynamoDB request is: moto's in-process backend is not
    thread-safe (a transaction deep-copies the table while another thread writes). Our code between the
    calls still runs concurrently, which is what these tests are about."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    unguarded = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return unguarded(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", process_request)


@pytest.mark.usefixtures("atomic_aws_calls")
def test_reception_numbers_are_unique_under_fifty_concurrent_intakes(stack: IntakeStack) -> None:
    # Given 50 residents' applications handled at the same time
    submissions = [application(f"c{n}", user_id=f"U{n:032x}") for n in range(50)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda a: stack.service.store_once(application=a), submissions))
    # Then each got its own number, and the store agrees
    numbers = {o.reception_number for o in outcomes}
    assert len(numbers) == 50
    assert {_string(i, "receptionNumber") for i in stack.items("application")} == numbers
    assert {int(n.rsplit("-", 1)[1]) for n in numbers} == set(range(1, 51))


@pytest.mark.usefixtures("atomic_aws_calls")
def test_two_concurrent_submissions_of_one_kind_never_both_store(stack: IntakeStack) -> None:
    submissions = [application(f"c{n}") for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda a: stack.service.store_once(application=a), submissions))
    assert len(stack.items("application")) == 1
    assert sorted(o.result for o in outcomes) == ["refused_pending"] * 7 + ["stored"]


def test_the_status_command_lists_the_residents_applications(stack: IntakeStack) -> None:
    # Given two applications of the resident, another resident's, and a survey of the resident
    bodies = [
        application("c1", kind="new"),
        application("c2", kind="stop"),
        application("c3", user_id="Uother"),
    ]
    assert stack.deliver(*(sqs_record(_body(b)) for b in bodies)) == []
    assert stack.deliver(sqs_record(_body(survey()))) == []
    # When the resident asks for 申請状況
    outcome = resolved(StatusQuery(stack.applications).reply(USER))
    # Then their two applications are listed as received, and nothing else
    (card,) = outcome.replies
    assert isinstance(card, Card)
    assert len(card.rows) == 2
    assert all("受付済み" in row.value for row in card.rows)
    assert {"新規申込", "配達停止"} == {
        k for row in card.rows for k in ("新規申込", "配達停止") if k in row.value
    }


def test_a_survey_is_stored_once_with_the_residents_id_only(stack: IntakeStack) -> None:
    # When the same survey response arrives twice
    body = _body(survey())
    assert stack.deliver(sqs_record(body), sqs_record(body)) == []
    # Then it is stored once, linked to the resident's id, and no notice is pushed
    (item,) = stack.items("survey")
    assert _string(item, "userId") == USER
    assert set(item) == {
        "applicationId",
        "recordType",
        "formId",
        "formVersion",
        "userId",
        "submittedAt",
        "receivedAt",
        "answers",
        "purgeAt",
    }
    assert stack.pushes() == []
    # And staff can count it per choice
    responses = list(stack.applications.survey_responses("koho_survey"))
    assert [r.answers["articles"] for r in responses] == ["events"]
    # (as stored: the choices; a typed answer, skipped here, would be sealed apart)
    assert responses[0] == survey().model_copy(
        update={"answers": {"satisfaction": "4", "articles": "events"}}
    )
    assert survey_counts_of(responses) == {"events": 1}


def _opened(stack: IntakeStack, ciphertext: str) -> tuple[dict[str, Any], dict[str, str]]:
    """(payload, encryption context) of a message sealed under the PII key: what only export's role can do."""
    client = EncryptionSDKClient()
    provider = StrictAwsKmsMasterKeyProvider(key_ids=[stack.pii_key_arn])
    plaintext, header = client.decrypt(source=base64.b64decode(ciphertext), key_provider=provider)
    return json.loads(plaintext), dict(header.encryption_context)


def test_a_survey_comment_naming_the_resident_is_sealed_and_expires(stack: IntakeStack) -> None:
    # Given a survey response whose free comment holds a name, an address, a phone number and an illness
    response = survey().model_copy(update={"answers": {"satisfaction": "2", "articles": "health", **COMMENT}})
    # When intake stores it
    assert stack.deliver(sqs_record(_body(response))) == []
    # Then the comment is in no attribute in clear: only the choices are, for staff's counts
    (item,) = stack.items("survey")
    stored = json.dumps(item, ensure_ascii=False)
    for plain in COMMENT_PII:
        assert plain not in stored
    assert item["answers"]["M"] == {"satisfaction": {"S": "2"}, "articles": {"S": "health"}}
    # And it is sealed under the PII key, bound to this response, with its length in clear for 登録情報の確認
    payload, context = _opened(stack, _string(item, "freeText"))
    assert payload == {"responseId": response.response_id, "freeText": COMMENT}
    assert context["purpose"] == "applicant-pii"
    assert context["formId"] == "koho_survey"
    assert item["freeTextLengths"]["M"] == {"comment": {"N": str(len(COMMENT["comment"]))}}
    # And the response expires after the survey retention (template default: 365 days)
    received = datetime.fromisoformat(_string(item, "receivedAt"))
    assert int(item["purgeAt"]["N"]) == int((received + timedelta(days=365)).timestamp())
    # And staff's counts are unchanged
    (counted,) = stack.applications.survey_responses("koho_survey")
    assert counted.answers == {"satisfaction": "2", "articles": "health"}


def test_an_application_never_exported_is_purged_at_the_retention_ceiling(stack: IntakeStack) -> None:
    # When intake stores an application
    assert stack.deliver(sqs_record(_body(application()))) == []
    # Then it, and the guard whose key names the resident, expire at the ceiling (template default: 180
    # days from intake), whether or not the ward ever exports it
    (item,) = stack.items("application")
    (guard,) = stack.items("guard")
    received = datetime.fromisoformat(_string(item, "receivedAt"))
    ceiling = int((received + timedelta(days=180)).timestamp())
    assert int(item["purgeAt"]["N"]) == ceiling
    assert int(guard["purgeAt"]["N"]) == ceiling


def test_a_residents_later_survey_answer_replaces_the_earlier_one(stack: IntakeStack) -> None:
    # Given a resident's survey answer, stored (one per resident and survey: the same response id)
    first = survey()
    later = first.model_copy(
        update={"submitted_at": first.submitted_at + timedelta(minutes=5), "answers": {"articles": "health"}}
    )
    assert stack.deliver(sqs_record(_body(first))) == []
    # When they answer again, and the first answer is delivered once more afterwards
    assert stack.deliver(sqs_record(_body(later)), sqs_record(_body(first))) == []
    # Then one answer is kept: the later one
    responses = list(stack.applications.survey_responses("koho_survey"))
    assert [r.answers for r in responses] == [{"articles": "health"}]


def survey_counts_of(responses: list[Any]) -> dict[str, int]:
    from civicline.models.forms import FormDefinition, FormPurpose, InputType, Option, Step

    form = FormDefinition(
        id="koho_survey",
        version=1,
        purpose=FormPurpose.SURVEY,
        title="forms.survey.title",
        steps=(
            Step(
                id="articles",
                input=InputType.CHOICE,
                prompt="forms.survey.articles.prompt",
                choices=(Option(id="events", label="a"), Option(id="health", label="b")),
            ),
        ),
    )
    return {k: v for k, v in survey_counts(form, responses)["articles"].items() if v}


def test_a_malformed_message_fails_for_the_dead_letter_queue(stack: IntakeStack) -> None:
    body = json.loads(_body(application()))
    body["answers"]["phone"] = "090-1234-5678"  # not E.164: the worker has a bug
    record = sqs_record(json.dumps(body, ensure_ascii=False))
    assert stack.deliver(record) == [record["messageId"]]
    assert stack.items() == []
    assert stack.pushes() == []


def test_no_personal_data_reaches_logs_or_the_idempotency_table(
    stack: IntakeStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given every path: stored, repeated, refused, push failed and retried, malformed
    _faults(stack, ["server_error"])
    failing = sqs_record(_body(application("c1")))
    stack.deliver(failing)
    stack.deliver(sqs_record(failing["body"], failing["messageId"]), sqs_record(_body(application("c2"))))
    stack.deliver(sqs_record(_body(application("c3", kind="stop"))))
    malformed = json.loads(_body(application("c4", kind="change_address")))
    malformed["answers"]["phone"] = "090-1234-5678"
    stack.deliver(sqs_record(json.dumps(malformed, ensure_ascii=False)))
    # Then the logs name ids and outcomes only
    logs = capsys.readouterr().out
    assert "application handled" in logs
    assert "notice not pushed yet" in logs
    for plain in PLAIN_PII:
        assert plain not in logs
    # And the idempotency records hold the outcome's ids only
    idempotency = json.dumps(
        stack.dynamodb.scan(TableName=stack.idempotency_table)["Items"], ensure_ascii=False
    )
    assert "refused_pending" in idempotency
    for plain in PLAIN_PII:
        assert plain not in idempotency


def test_the_pii_decrypts_to_the_answers_only_with_the_pii_key(stack: IntakeStack) -> None:
    assert stack.deliver(sqs_record(_body(application()))) == []
    (item,) = stack.items("application")
    answers = stack.pii.open(_string(item, "pii"), _string(item, "applicationId"), "koho_delivery")
    assert isinstance(answers, ApplicantAnswers)
    assert answers.phone == ANSWERS.phone


def test_the_sample_event_is_handled(stack: IntakeStack) -> None:
    # Given events/intake/application.json as `sam local invoke` would pass it
    event = json.loads(
        (Path(__file__).resolve().parents[3] / "events" / "intake" / "application.json").read_text()
    )
    # When intake handles it / Then it is stored and confirmed
    assert stack.deliver(*event["Records"]) == []
    assert len(stack.items("application")) == 1
    assert len(stack.pushes()) == 1


def test_a_malformed_message_is_logged_by_id_and_field_names_and_counted(
    stack: IntakeStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a body the worker would never send (a phone number not in E.164)
    body = json.loads(_body(application()))
    body["answers"]["phone"] = "090-1234-5678"
    record = sqs_record(json.dumps(body, ensure_ascii=False))
    # When intake receives it
    assert stack.deliver(record) == [record["messageId"]]
    # Then the log names the message and the field, never the value, and MalformedRecords counts it
    logs = capsys.readouterr().out
    (line,) = [json.loads(x) for x in logs.splitlines() if "malformed record" in x]
    assert line["message_id"] == record["messageId"]
    assert any(field.endswith("answers.phone") for field in line["invalid_fields"])
    assert "090-1234-5678" not in logs
    assert emf_counts(logs) == {"MalformedRecords": 1}


def test_stores_and_duplicates_are_counted_apart(
    stack: IntakeStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an application delivered, then delivered again
    body = _body(application())
    assert stack.deliver(sqs_record(body)) == []
    assert stack.deliver(sqs_record(body, receive_count=2)) == []
    # Then it was stored once, answered from the idempotency record once, and the card pushed once
    counts = emf_counts(capsys.readouterr().out)
    assert counts["ApplicationsStored"] == 1
    assert counts["ApplicationsRepeated"] == 1
    assert counts["NoticesPushed"] == 1
    assert counts["NoticesAlreadyPushed"] == 1
