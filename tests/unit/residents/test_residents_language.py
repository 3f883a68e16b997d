"""The resident's language: from LINE on follow, changed by keyword, postback or 受信設定, answered in."""

from __future__ import annotations

import pytest
from tests.unit.residents.residents_fakes import USER, World, context, postback_in, sticker_in, text_in

from civicline.domain.chat.inbound import Inbound, InboundKind
from civicline.domain.chat.replies import QUICK_REPLY_LABEL_MAX, Answer, Card, TextReply, WhenStale
from civicline.domain.residents.ports import Profile
from civicline.messages import text
from civicline.models.city import load_city
from civicline.models.language import JAPANESE_READERS, SELF_NAMES, Language


def only_text(outcome: Answer) -> TextReply:
    (reply,) = outcome.replies
    assert isinstance(reply, TextReply)
    return reply


def follow(world: World, line_language: str | None, unblocked: bool = False) -> Answer:
    world.profiles.profiles[USER] = Profile(display_name="Nguyen", picture_url=None, language=line_language)
    return world.dispatcher.dispatch(Inbound(kind=InboundKind.FOLLOW, context=context(), unblocked=unblocked))


def language_of(world: World) -> Language:
    resident = world.residents.get(USER)
    assert resident is not None
    return resident.language


@pytest.mark.parametrize(
    ("line_language", "ours"),
    [
        ("ko", Language.KO),
        ("zh-TW", Language.ZH_HANS),
        ("vi", Language.VI),
        ("fr", Language.JA),
        (None, Language.JA),
    ],
)
def test_a_newcomer_is_greeted_in_their_lines_language_and_told_how_to_change_it(
    world: World, line_language: str | None, ours: Language
) -> None:
    # Given a resident whose LINE app is set to `line_language`, When they follow the account
    greeting = only_text(follow(world, line_language))
    # Then their language is stored, and the greeting says in it how to change it
    assert language_of(world) is ours
    hint = text("language.greeting_hint", ours.value, language=SELF_NAMES[ours])
    assert greeting.text.endswith(hint)
    assert [a.label for a in greeting.quick_replies][-1] == text("language.entry.label", ours.value)


def test_a_returning_resident_keeps_the_language_they_chose(world: World) -> None:
    # Given a resident who followed in Korean, chose Nepali and blocked the account
    follow(world, "ko")
    world.dispatcher.dispatch(postback_in("action=language&v=ne"))
    world.dispatcher.dispatch(Inbound(kind=InboundKind.UNFOLLOW, context=context()))
    # When they follow again (their LINE still says Korean)
    welcome = only_text(follow(world, "ko", unblocked=True))
    # Then they are welcomed back in Nepali
    assert language_of(world) is Language.NE
    assert welcome.text == text("residents.welcome_back", "ne")


@pytest.mark.parametrize(
    "typed",
    [
        "言語",
        "げんご",
        "Language",
        " LANGUAGE ",
        "语言",
        "언어",
        "ngôn ngữ",
        "Ngôn Ngữ",
        "भाषा",
        "ဘာသာစကား",
        "ことば",
    ],
)
def test_a_keyword_in_any_language_offers_every_language_written_in_itself(world: World, typed: str) -> None:
    # Given a resident reading Japanese, When they type the word for "language" in any of our languages
    offered = only_text(world.dispatcher.dispatch(text_in(typed)))
    # Then they get the list, each language in its own script, whatever language the prompt is in
    assert offered.text == text("language.prompt", current="日本語")
    assert [a.label for a in offered.quick_replies] == [SELF_NAMES[language] for language in Language]


@pytest.mark.parametrize("language", list(Language))
def test_choosing_a_language_stores_it_and_answers_in_it(world: World, language: Language) -> None:
    # Given the list of languages
    offered = only_text(world.dispatcher.dispatch(postback_in("action=language")))
    tapped = next(a for a in offered.quick_replies if a.label == SELF_NAMES[language])
    # When the resident taps one
    changed = world.dispatcher.dispatch(postback_in(tapped.data))
    # Then it is stored and the answer is already in it; and so is every answer after it
    assert language_of(world) is language
    assert only_text(changed).text == text("language.changed", language.value, language=SELF_NAMES[language])
    assert changed.when_stale is WhenStale.PUSH
    help_line = only_text(world.dispatcher.dispatch(sticker_in()))
    assert help_line.text == text("help.fallback", language.value)


def test_the_same_choice_tapped_twice_changes_nothing_more(world: World) -> None:
    world.dispatcher.dispatch(postback_in("action=language&v=en"))
    again = world.dispatcher.dispatch(postback_in("action=language&v=en"))
    assert language_of(world) is Language.EN
    assert only_text(again).text == text("language.changed", "en", language="English")


@pytest.mark.parametrize("data", ["action=language&v=fr", "action=language&v=", "action=language&v=JA"])
def test_a_language_we_do_not_speak_is_not_stored_and_the_list_is_offered_again(
    world: World, data: str
) -> None:
    offered = only_text(world.dispatcher.dispatch(postback_in(data)))
    assert world.residents.get(USER) is None
    assert [a.label for a in offered.quick_replies] == list(SELF_NAMES.values())


def test_the_settings_card_shows_the_language_in_itself_with_a_change_button(world: World) -> None:
    # Given a resident in Vietnamese with one setting
    world.dispatcher.dispatch(postback_in("action=language&v=vi"))
    world.dispatcher.dispatch(postback_in("action=settings&item=gender&v=female"))
    # When they open 受信設定
    card = next(r for r in world.dispatcher.dispatch(text_in("受信設定")).replies if isinstance(r, Card))
    # Then its last row is the language, written in itself, and its button leads to the list
    row = card.rows[-1]
    assert (row.label, row.value) == (text("language.item", "vi"), "Tiếng Việt")
    assert row.action is not None
    offered = only_text(world.dispatcher.dispatch(postback_in(row.action.data)))
    assert offered.text == text("language.prompt", "vi", current="Tiếng Việt")


def test_a_question_open_when_the_language_changes_is_still_answered(world: World) -> None:
    # Given a resident in the middle of 受信設定 (asked their birth year)
    world.dispatcher.dispatch(text_in("受信設定"))
    # When they switch to English, then type their year
    world.dispatcher.dispatch(text_in("language"))
    world.dispatcher.dispatch(postback_in("action=language&v=en"))
    world.dispatcher.dispatch(text_in("1985"))
    # Then the year is stored: the open question survived the change
    resident = world.residents.get(USER)
    assert resident is not None
    assert resident.settings.birth_year == 1985
    assert resident.language is Language.EN


@pytest.mark.parametrize(
    ("language", "eras"), [("ja", True), ("ja-easy", True), ("en", False), ("ko", False)]
)
def test_birth_years_carry_their_japanese_era_only_for_readers_of_japanese(
    world: World, language: str, eras: bool
) -> None:
    # Given a resident in `language` who chose the 1980s
    world.dispatcher.dispatch(postback_in(f"action=language&v={language}"))
    decade = only_text(world.dispatcher.dispatch(postback_in("action=settings&item=birth_year&d=1980")))
    # Then 1985 is labelled with 昭和60年 only where 和暦 makes sense; the card says the same
    year_1985 = next(a for a in decade.quick_replies if a.data.endswith("v=1985"))
    assert ("昭和60年" in year_1985.label) is eras
    world.dispatcher.dispatch(postback_in(year_1985.data))
    card = next(r for r in world.dispatcher.dispatch(text_in("受信設定")).replies if isinstance(r, Card))
    assert ("昭和60年" in card.rows[0].value) is eras


def test_a_typed_year_in_korean_is_stored(world: World) -> None:
    world.dispatcher.dispatch(postback_in("action=language&v=ko"))
    world.dispatcher.dispatch(postback_in("action=settings&item=birth_year"))
    world.dispatcher.dispatch(text_in("1985년생"))
    resident = world.residents.get(USER)
    assert resident is not None
    assert resident.settings.birth_year == 1985


@pytest.mark.parametrize("language", list(Language), ids=str)
def test_a_command_typed_as_any_language_writes_it_reaches_its_feature(
    world: World, language: Language
) -> None:
    # Given a resident reading Japanese, When they type 受信設定 as `language` writes it ("Message settings")
    asked = only_text(world.dispatcher.dispatch(text_in(text("settings.entry.label", language.value))))
    # Then 受信設定 opens, in the resident's own language
    assert text("settings.prompt.birth_year") in asked.text


def test_areas_and_genres_read_in_the_residents_language_with_the_japanese_kept(world: World) -> None:
    # Given a resident reading Korean, When they are asked their area
    world.dispatcher.dispatch(postback_in("action=language&v=ko"))
    asked = only_text(world.dispatcher.dispatch(postback_in("action=settings&item=area")))
    # Then each area is named in Korean with the Japanese kept, to match signs and mail
    assert "오쿠보(大久保)" in [a.label for a in asked.quick_replies]
    # And they may type it the way the button says it; the card shows it, and their genre, in Korean
    world.dispatcher.dispatch(text_in("오쿠보(大久保)"))
    world.dispatcher.dispatch(postback_in("action=settings&item=genres&g=kenko&on=1"))
    card = next(
        r for r in world.dispatcher.dispatch(text_in("언어 설정")).replies if isinstance(r, TextReply)
    )
    assert card.quick_replies  # the language list: a keyword in Korean works too
    resident = world.residents.get(USER)
    assert resident is not None
    assert (resident.settings.area, resident.settings.genres) == ("okubo", frozenset({"kenko"}))
    shown = next(r for r in world.dispatcher.dispatch(text_in("受信設定")).replies if isinstance(r, Card))
    assert [row.value for row in shown.rows][2:4] == ["오쿠보(大久保)", "건강·복지"]


@pytest.mark.parametrize("typed", ["Okubo (大久保)", "okubo(大久保)", "오쿠보(大久保)", "大久保"])
def test_an_area_typed_as_any_language_labels_it_is_understood(world: World, typed: str) -> None:
    world.dispatcher.dispatch(postback_in("action=settings&item=area"))
    world.dispatcher.dispatch(text_in(typed))
    resident = world.residents.get(USER)
    assert resident is not None
    assert resident.settings.area == "okubo"


def test_every_choice_of_the_city_has_a_label_for_each_non_japanese_reader_that_fits_a_button() -> None:
    city = load_city()
    others = [lang for lang in Language if lang not in JAPANESE_READERS]
    for choice in (*city.areas, *city.genres, *city.genders):
        assert set(others) <= set(choice.labels), choice.id
        assert all(len(label) <= QUICK_REPLY_LABEL_MAX for label in choice.labels.values()), choice.id


@pytest.mark.parametrize(("typed", "area"), [("Takadanobaba", "totsuka"), ("Okubo 1-chome", "okubo")])
def test_a_town_typed_in_latin_letters_gives_its_area(world: World, typed: str, area: str) -> None:
    world.dispatcher.dispatch(postback_in("action=language&v=en"))
    world.dispatcher.dispatch(postback_in("action=settings&item=area"))
    world.dispatcher.dispatch(text_in(typed))
    resident = world.residents.get(USER)
    assert resident is not None
    assert resident.settings.area == area


def test_a_town_split_between_areas_is_named_in_romaji_beside_the_japanese(world: World) -> None:
    # Given a resident reading Vietnamese asked their area, When they type "Nishi-Shinjuku"
    world.dispatcher.dispatch(postback_in("action=language&v=vi"))
    world.dispatcher.dispatch(postback_in("action=settings&item=area"))
    asked = only_text(world.dispatcher.dispatch(text_in("Nishi-Shinjuku")))
    # Then they are asked which of its two areas, the town written so they can read it and match it
    assert "Nishishinjuku (西新宿)" in asked.text
    assert [a.label for a in asked.quick_replies][:2] == ["Kashiwagi (柏木)", "Tsunohazu (角筈)"]
