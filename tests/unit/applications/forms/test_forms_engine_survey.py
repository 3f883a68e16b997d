"""The engine through the 広報新宿 survey: choices, branching on an earlier answer, optional text, counts."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.applications.forms.forms_chat import NOW, USER_ID, Chat, render

from civicline.domain.applications.forms import (
    Completed,
    build_survey_response,
    choice_counts,
    load_form,
    survey_reply,
)
from civicline.models.form_conversation import CONFIRMING
from civicline.models.forms import SurveyResponse

SATISFACTION_LABELS = ["とても満足", "満足", "ふつう", "やや不満", "不満"]


def _submit(chat: Chat) -> SurveyResponse:
    outcome = chat.tap("送信する")
    assert isinstance(outcome, Completed)
    return build_survey_response(load_form("koho_survey"), outcome, USER_ID, NOW)


def test_a_satisfied_reader_answers_three_questions() -> None:
    # Given the survey, which has no kinds / When a satisfied reader answers
    chat = Chat("koho_survey")
    assert "アンケートにご協力ください" in chat.texts
    assert chat.labels == [*SATISFACTION_LABELS, "やめる"]
    chat.tap("とても満足")
    assert "よく読む記事" in chat.texts
    chat.tap("防災・安全")
    # Then the improvement question is skipped and the comment is optional
    assert chat.step == "comment"
    chat.tap("スキップ")
    assert chat.step == CONFIRMING
    assert chat.rendered.summary == (
        ("満足度", "とても満足"),
        ("よく読む記事", "防災・安全"),
        ("ご意見・ご要望", "（なし）"),
    )
    response = _submit(chat)
    assert response.answers == {"satisfaction": "5", "articles": "disaster", "comment": None}
    assert response.user_id == USER_ID
    assert set(SurveyResponse.model_fields) == {
        "response_id",
        "user_id",
        "form_id",
        "form_version",
        "answers",
        "submitted_at",
    }
    assert "ありがとうございました" in render(survey_reply(load_form("koho_survey"))).texts[0]


def test_a_dissatisfied_reader_is_asked_what_to_improve() -> None:
    chat = Chat("koho_survey")
    chat.send("やや不満")  # typed label works like the button
    chat.send("健康・医療")
    assert chat.step == "improve"
    chat.tap("記事の量")
    chat.send("文字をもう少し大きくしてほしいです。")
    response = _submit(chat)
    assert response.answers == {
        "satisfaction": "2",
        "articles": "health",
        "improve": "amount",
        "comment": "文字をもう少し大きくしてほしいです。",
    }


def test_changing_the_branching_answer_drops_the_branch() -> None:
    # Given a dissatisfied reader at the card / When they fix satisfaction to とても満足
    chat = Chat("koho_survey")
    chat.say_all("不満", "その他", "配布・配達の方法", "なし")
    assert chat.step == CONFIRMING
    chat.tap("修正する")
    chat.tap("満足度")
    chat.tap("とても満足")
    # Then the improvement answer is neither shown nor kept
    assert chat.step == CONFIRMING
    assert "改善してほしい点" not in dict(chat.rendered.summary)
    assert "improve" not in _submit(chat).answers


def test_changing_into_the_branch_asks_its_question() -> None:
    chat = Chat("koho_survey")
    chat.say_all("満足", "その他", "なし")
    chat.tap("修正する")
    chat.tap("満足度")
    chat.tap("ふつう")
    assert chat.step == "improve"
    chat.tap("記事の内容")
    assert chat.step == CONFIRMING


def test_an_answer_that_is_not_a_choice_is_re_asked() -> None:
    chat = Chat("koho_survey")
    chat.send("まあまあ")
    assert chat.step == "satisfaction"
    assert "ボタンから選んで" in chat.texts


def test_a_comment_longer_than_200_characters_is_re_asked() -> None:
    chat = Chat("koho_survey")
    chat.say_all("満足", "その他")
    chat.send("あ" * 201)
    assert chat.step == "comment"
    assert "200文字以内" in chat.texts


def test_staff_see_how_many_chose_each_choice() -> None:
    form = load_form("koho_survey")
    answers: list[dict[str, str | int | bool | None]] = [
        {"satisfaction": "5", "articles": "events", "comment": None},
        {"satisfaction": "5", "articles": "health", "comment": "よい"},
        {"satisfaction": "1", "articles": "events", "improve": "content", "comment": None},
    ]
    responses = [
        SurveyResponse(
            response_id=f"r{i}",
            user_id=USER_ID,
            form_id="koho_survey",
            form_version=1,
            answers=a,
            submitted_at=NOW + timedelta(minutes=i),
        )
        for i, a in enumerate(answers)
    ]
    counts = choice_counts(form, responses)
    assert counts["satisfaction"] == {"5": 2, "4": 0, "3": 0, "2": 0, "1": 1}
    assert counts["articles"]["events"] == 2
    assert counts["articles"]["health"] == 1
    assert sum(counts["improve"].values()) == 1
    assert "comment" not in counts
