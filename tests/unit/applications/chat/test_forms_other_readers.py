"""A resident who does not read Japanese finishes 広報新宿 delivery: name as on the residence card, the
katakana reading optional (and why it helps), the town in romaji beside the Japanese that is stored."""

from __future__ import annotations

import pytest
from tests.unit.applications.chat.forms_chat_world import FormsWorld
from tests.unit.residents.residents_fakes import USER

from civicline.messages import text
from civicline.models.forms import Application
from civicline.models.language import Language

OTHER_READERS = [lang for lang in Language if lang not in (Language.JA, Language.JA_EASY)]


def _in(world: FormsWorld, language: Language) -> None:
    world.postback(f"action=language&v={language.value}")


@pytest.mark.parametrize("language", OTHER_READERS, ids=str)
def test_a_resident_reading_another_language_applies_without_a_katakana_reading(language: Language) -> None:
    world = FormsWorld()
    lang = language.value
    # Given a resident who reads `language`, When they start a new delivery
    _in(world, language)
    world.postback("action=apply&form=koho_delivery&kind=new")
    # Then their name is asked as on the residence card
    assert text("forms.koho.name.prompt_residence_card", lang) in world.texts()
    # And, their name typed in Latin letters, the katakana reading is optional, with its reason
    world.say("NGUYEN VAN AN")
    assert text("forms.koho.kana.prompt_optional", lang) in world.texts()
    world.tap(text("forms.label.skip", lang))
    # And the town of their postal code reads in romaji beside the Japanese form
    world.say("169-0072")
    assert text("forms.koho.area_ok.prompt_romaji", lang, romaji="Okubo", area="東京都新宿区大久保") in (
        world.texts()
    )
    world.tap(text("forms.label.yes", lang))
    world.say("1-2-3", "090-1234-5678")
    world.tap(text("forms.label.submit", lang))
    # Then the application holds the name as typed, no reading, the Japanese address, and their language
    (sent,) = world.queue.sent
    assert isinstance(sent, Application)
    assert (sent.answers.name, sent.answers.kana) == ("NGUYEN VAN AN", None)
    assert sent.answers.address == "東京都新宿区大久保1-2-3"
    assert sent.language is language


@pytest.mark.parametrize("language", [Language.JA, Language.JA_EASY], ids=str)
def test_a_reader_of_japanese_is_still_asked_for_the_reading(language: Language) -> None:
    world = FormsWorld()
    _in(world, language)
    world.postback("action=apply&form=koho_delivery&kind=new")
    world.say("新宿 花子")
    # The reading is required for them: no skip, and a name in Latin letters is not a reading
    assert text("forms.koho.kana.prompt", language.value) in world.texts()
    assert text("forms.label.skip", language.value) not in world.labels()
    world.say("HANAKO")
    assert text("forms.error.kana_only", language.value) in world.texts()


def test_a_form_open_when_the_language_changes_takes_the_new_languages_steps() -> None:
    # Given a resident in Japanese asked for the reading
    world = FormsWorld()
    world.postback("action=apply&form=koho_delivery&kind=new")
    world.say("NGUYEN VAN AN")
    # When they switch to English and go back to the form
    _in(world, Language.EN)
    world.postback("action=apply_resume")
    # Then the reading is optional from now on
    assert text("forms.label.skip", "en") in world.labels()


@pytest.mark.parametrize("language", list(Language), ids=str)
def test_the_forms_commands_typed_as_any_language_writes_them_are_understood(language: Language) -> None:
    # Given a resident reading Japanese, When they type 電子申請 and 申請状況 as `language` writes them
    world = FormsWorld()
    world.say(text("applications_chat.menu.command", language.value))
    # Then the menu and the status answer, as they do in Japanese
    assert text("applications_chat.menu.koho_new") in world.labels()
    world.say(text("intake.status.command", language.value))
    assert world.statuses.asked == [USER]
