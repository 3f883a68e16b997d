"""The queue's message bodies and the LINE notice, without a network."""

from __future__ import annotations

import json
import uuid

import pytest
from linebot.v3.messaging import FlexMessage, TextMessage
from tests.unit.applications.applications_fakes import (
    NOW,
    FakeSealer,
    InMemoryApplications,
    application,
    survey,
)

from civicline.adapters.line.confirmation import confirmation_bubble, confirmation_retry_key, notice_message
from civicline.adapters.sqs.applications_queue import parse_submission
from civicline.domain.applications.confirmation import ConfirmationCard, notice_for
from civicline.domain.applications.errors import MalformedSubmission
from civicline.domain.applications.records import IntakeOutcome
from civicline.domain.applications.surveys import SurveyIntake, survey_counts
from civicline.models.forms import (
    Application,
    FormDefinition,
    FormPurpose,
    InputType,
    Option,
    Step,
    SurveyResponse,
)

STORED = IntakeOutcome(
    submission_id="s", result="stored", reception_number="KH-20261127-0042", received_at=NOW
)


def test_a_body_is_an_application_or_a_survey_by_its_shape() -> None:
    assert isinstance(parse_submission(application().model_dump_json()), Application)
    assert isinstance(parse_submission(survey().model_dump_json()), SurveyResponse)


def test_a_malformed_body_is_refused_naming_fields_never_values() -> None:
    body = json.loads(application().model_dump_json())
    body["answers"]["phone"] = "090-1234-5678 (not E.164)"
    with pytest.raises(MalformedSubmission) as refused:
        parse_submission(json.dumps(body, ensure_ascii=False))
    assert "phone" in str(refused.value)
    assert "1234" not in str(refused.value)
    assert "山田" not in str(refused.value)


def test_the_card_is_a_valid_flex_bubble_well_under_lines_size_limit() -> None:
    card = notice_for(application(), STORED)
    assert isinstance(card, ConfirmationCard)
    message = notice_message(card)
    assert isinstance(message, FlexMessage)
    assert len(json.dumps(confirmation_bubble(card), ensure_ascii=False).encode()) < 30_000
    assert len(card.alt_text) <= 1500


def test_a_refusal_is_a_text_message() -> None:
    refused = IntakeOutcome(submission_id="s", result="refused_pending", reception_number="KH-20261120-0007")
    assert isinstance(notice_message(notice_for(application(), refused)), TextMessage)


def test_the_retry_key_is_a_uuid_fixed_by_the_submission() -> None:
    key = confirmation_retry_key("sub-1")
    assert key == confirmation_retry_key("sub-1") != confirmation_retry_key("sub-2")
    assert uuid.UUID(key).version == 5


def test_a_survey_is_recorded_once_and_counted_per_choice() -> None:
    # Given a two-choice survey and a store
    form = FormDefinition(
        id="koho_survey",
        version=1,
        purpose=FormPurpose.SURVEY,
        title="forms.survey.title",
        steps=(
            Step(
                id="satisfaction",
                input=InputType.CHOICE,
                prompt="forms.survey.satisfaction.prompt",
                choices=(Option(id="5", label="x"), Option(id="4", label="y")),
            ),
        ),
    )
    store = InMemoryApplications()
    surveys = SurveyIntake(store, FakeSealer(), clock=lambda: NOW)
    # When the same response arrives twice and another once
    assert surveys.receive(survey("s1")) is True
    assert surveys.receive(survey("s1")) is False
    assert surveys.receive(survey("s2", user_id="U2")) is True
    # Then each is stored once, and the counts say so
    assert survey_counts(form, store.surveys.values()) == {"satisfaction": {"5": 0, "4": 2}}
