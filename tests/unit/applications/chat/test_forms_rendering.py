"""The engine's replies as LINE-ready ones: notices first, quick replies last, a card to confirm."""

from __future__ import annotations

from civicline.domain.applications import forms
from civicline.domain.applications.chat.rendering import replies_of
from civicline.domain.applications.forms import Message, QuickReply, SummaryRow
from civicline.domain.chat.replies import Answer, Card, Reply, TextReply, resolved

FORM = forms.load_form("koho_delivery")


def said(reply: forms.FormReply) -> tuple[Reply[str], ...]:
    """The chat's replies for one engine reply, in the words LINE shows."""
    return resolved(Answer(replies=replies_of(FORM, reply))).replies


def test_a_question_with_a_notice_is_two_texts_with_the_buttons_on_the_last() -> None:
    reply = forms.FormReply(
        Message("forms.koho.name.prompt"),
        notice=Message("forms.error.empty"),
        quick_replies=(QuickReply(label="forms.label.cancel", data="form:name:@cancel"),),
    )
    notice, question = said(reply)
    assert isinstance(notice, TextReply)
    assert notice.quick_replies == ()
    assert isinstance(question, TextReply)
    assert "お名前" in question.text
    (cancel,) = question.quick_replies
    assert (cancel.label, cancel.data, cancel.display_text) == ("やめる", "form:name:@cancel", "やめる")


def test_a_date_picker_button_is_left_out_and_typing_the_date_still_works() -> None:
    reply = forms.FormReply(
        Message("forms.koho.name.prompt"),
        quick_replies=(
            QuickReply(label="forms.label.pick_date", data="form:when:date", picker="date"),
            QuickReply(label="forms.label.cancel", data="form:when:@cancel"),
        ),
    )
    (question,) = said(reply)
    assert isinstance(question, TextReply)
    assert [a.label for a in question.quick_replies] == ["やめる"]


def test_the_confirmation_is_a_card_with_rows_buttons_and_the_prompt_as_its_note() -> None:
    reply = forms.FormReply(
        Message("forms.confirm.prompt", {"title": "広報新宿の個別配達"}),
        notice=Message("forms.notice.resumed", {"title": "広報新宿の個別配達"}),
        quick_replies=(
            QuickReply(label="forms.label.submit", data="form:@confirm:@submit"),
            QuickReply(label="forms.label.edit", data="form:@confirm:@edit"),
        ),
        summary=(
            SummaryRow(label="forms.koho.field.reason", value=Message("forms.value.none")),
            SummaryRow(label="forms.koho.field.name", value=Message("forms.value.raw", {"value": ""})),
        ),
    )
    notice, card = said(reply)
    assert isinstance(notice, TextReply)
    assert "入力の続き" in notice.text
    assert isinstance(card, Card)
    assert [(row.label, row.value) for row in card.rows] == [("停止の理由", "（なし）"), ("お名前", "-")]
    assert [b.label for b in card.buttons] == ["送信する", "修正する"]
    assert card.note is not None
    assert "よろしければ" in card.note
    assert card.alt_text == "「広報新宿の個別配達」の入力内容の確認"
