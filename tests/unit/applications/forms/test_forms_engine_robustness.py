"""The engine with other input types (date, number) and with whatever a resident may send."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.applications.forms.forms_chat import NOW, render

from civicline.domain.applications.forms import (
    Completed,
    Ended,
    FormReply,
    Postback,
    SwitchForm,
    answer,
    load_form,
    start,
)
from civicline.models.forms import FormDefinition

# A form made for these tests; its wording borrows existing catalogue keys.
PROMPT = "forms.survey.comment.prompt"


def _form(*steps: dict[str, Any]) -> FormDefinition:
    return FormDefinition.model_validate(
        {"id": "test_form", "version": 1, "purpose": "survey", "title": "forms.survey.title", "steps": steps}
    )


DATE_AND_NUMBER = _form(
    {"id": "day", "input": "date", "prompt": PROMPT, "label": "forms.survey.field.comment"},
    {"id": "count", "input": "number", "prompt": PROMPT, "min_value": 1, "max_value": 10},
)


def test_a_date_can_be_picked_or_typed() -> None:
    state, reply = start(DATE_AND_NUMBER, None, NOW, conversation_id="c")
    picker = reply.quick_replies[0]
    assert picker.picker == "date"
    picked, _ = answer(DATE_AND_NUMBER, state, Postback(picker.data, date="2025-05-03"), NOW)
    typed, _ = answer(DATE_AND_NUMBER, state, "２０２５年５月３日", NOW)
    assert picked is not None
    assert typed is not None
    assert picked.answers == typed.answers == {"day": "2025-05-03"}


def test_an_impossible_date_is_re_asked() -> None:
    state, _ = start(DATE_AND_NUMBER, None, NOW, conversation_id="c")
    again, reply = answer(DATE_AND_NUMBER, state, "2025/2/30", NOW)
    assert again is not None
    assert again.step_id == "day"
    assert isinstance(reply, FormReply)
    assert reply.notice is not None
    assert reply.notice.key == "forms.error.date"


def test_a_number_must_be_in_range() -> None:
    state, _ = start(DATE_AND_NUMBER, None, NOW, conversation_id="c")
    moved, _ = answer(DATE_AND_NUMBER, state, "2025-05-03", NOW)
    assert moved is not None
    _, reply = answer(DATE_AND_NUMBER, moved, "０", NOW)
    assert isinstance(reply, FormReply)
    assert "1から10まで" in render(reply).texts[0]
    done, card = answer(DATE_AND_NUMBER, moved, "７", NOW)
    assert done is not None
    assert done.answers["count"] == 7
    assert isinstance(card, FormReply)
    assert ("ご意見・ご要望", "2025年5月3日") in render(card).summary


ANY_INPUT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["やめる", "戻る", "修正", "送信", "はい", "いいえ", "スキップ", "160-0022", "03-1234-5678"]
    ),
    st.sampled_from(["新宿 太郎", "しんじゅく", "2-3-4", "不満", "その他", "新規申込"]),
    st.builds(
        Postback,
        st.one_of(
            st.text(max_size=20),
            st.sampled_from(
                ["form:@confirm:@submit", "form:@edit:name", "form:@switch:yes", "form:name:@back"]
            ),
        ),
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["koho_delivery", "koho_survey"]), st.lists(ANY_INPUT, max_size=25), st.data())
def test_whatever_is_sent_the_conversation_stays_well_formed(
    form_id: str, inputs: list[Any], data: Any
) -> None:
    form = load_form(form_id)
    state, reply = start(form, None, NOW, conversation_id="c")
    now = NOW
    for sent in inputs:
        # Sometimes the resident taps one of the buttons on screen rather than typing.
        tapped = reply.quick_replies and data.draw(st.booleans())
        user_input = Postback(data.draw(st.sampled_from(reply.quick_replies)).data) if tapped else sent
        now += timedelta(minutes=1)
        new_state, outcome = answer(form, state, user_input, now)
        if new_state is None:
            assert isinstance(outcome, Completed | Ended | SwitchForm)
            return
        assert new_state.version == state.version + 1
        assert new_state.expires_at == now + timedelta(hours=form.ttl_hours)
        assert isinstance(outcome, FormReply)
        rendered = render(outcome)
        assert rendered.texts
        assert len(rendered.quick_replies) <= 13
        state, reply = new_state, outcome
