"""The confirmation card answered in words: 「はい」 is a yes to sending."""

from __future__ import annotations

import pytest
from tests.unit.applications.forms.forms_chat import Chat

from civicline.domain.applications.forms import Completed
from civicline.models.form_conversation import CONFIRMING


def _at_confirmation() -> Chat:
    chat = Chat("koho_delivery", kind="new")
    chat.say_all("新宿 太郎", "シンジュク タロウ", "160-0022")
    chat.tap("はい")
    chat.say_all("2-3-4", "03-1234-5678")
    assert chat.step == CONFIRMING
    return chat


@pytest.mark.parametrize("typed", ["はい", "ハイ", "はい ", "OK"])
def test_a_resident_who_answers_yes_in_words_to_the_confirmation_card_submits(typed: str) -> None:
    # Given the confirmation card 「よろしければ「送信する」を…」
    chat = _at_confirmation()
    # When the resident types 「はい」 instead of tapping 送信する
    outcome = chat.send(typed)
    # Then the form is submitted, as with 送信する
    assert isinstance(outcome, Completed)
    assert outcome.answers["address"] == "東京都新宿区新宿2-3-4"
    assert chat.state is None


def test_other_words_at_the_confirmation_card_still_ask_to_choose() -> None:
    chat = _at_confirmation()
    chat.send("たぶん")
    assert chat.step == CONFIRMING
    assert chat.labels[:2] == ["送信する", "修正する"]
