"""受信設定 answered in residents' own words: 「女」, 「健康」, a town name or a postal code for the area."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tests.unit.residents.residents_fakes import USER, World, postback_in, text_in

from civicline.domain.chat.replies import Answer, TextReply
from civicline.domain.residents.areas import city_area_table
from civicline.domain.residents.choice_words import match_choice
from civicline.messages import text
from civicline.models.city import City, load_city
from civicline.models.resident import ReceptionSettings


def _settings(world: World) -> ReceptionSettings:
    resident = world.residents.get(USER)
    assert resident is not None
    return resident.settings


def _reply(outcome: Answer) -> TextReply:
    reply = outcome.replies[0]
    assert isinstance(reply, TextReply)
    return reply


@pytest.mark.parametrize(
    ("typed", "gender"),
    [
        ("女", "female"),
        ("女の人", "female"),
        ("おんな", "female"),
        ("男", "male"),
        ("男の人", "male"),
        ("男性", "male"),
    ],
)
def test_a_resident_who_types_a_short_word_for_their_gender_has_it_saved(
    world: World, typed: str, gender: str
) -> None:
    # Given the gender question is open
    world.dispatcher.dispatch(postback_in("action=settings&item=gender"))
    # When the resident types a short natural word
    world.dispatcher.dispatch(text_in(typed))
    # Then the gender it names is saved
    assert _settings(world).gender == gender


@pytest.mark.parametrize(
    ("typed", "genre"), [("健康", "kenko"), ("福祉", "kenko"), ("ごみ", "kurashi"), ("防災", "bousai")]
)
def test_a_resident_who_types_a_short_genre_name_selects_that_genre(
    world: World, typed: str, genre: str
) -> None:
    world.dispatcher.dispatch(postback_in("action=settings&item=genres"))
    world.dispatcher.dispatch(text_in(typed))
    assert _settings(world).genres == frozenset({genre})


@pytest.mark.parametrize(
    "typed", ["高田馬場", "高田馬場1丁目", "新宿区高田馬場", "169-0075", "１６９００７５"]
)
def test_a_resident_who_types_their_town_or_postal_code_gets_its_area(world: World, typed: str) -> None:
    # Given the area question is open
    world.dispatcher.dispatch(postback_in("action=settings&item=area"))
    # When the resident types the town they live in (or its postal code), not the 特別出張所 area
    world.dispatcher.dispatch(text_in(typed))
    # Then the area of that town is saved (高田馬場 lies wholly in 戸塚)
    assert _settings(world).area == "totsuka"


def test_a_town_split_between_two_areas_asks_to_choose_between_those_two(world: World) -> None:
    # Given the area question is open
    world.dispatcher.dispatch(postback_in("action=settings&item=area"))
    # When the resident types 西新宿, which the table splits between 柏木 and 角筈
    asked = _reply(world.dispatcher.dispatch(text_in("西新宿")))
    # Then nothing is saved yet, the reply says why, and only those two areas (and 回答しない) are offered
    assert world.residents.get(USER) is None
    assert asked.text.startswith(text("settings.area.spans", town="西新宿", areas="柏木、角筈"))
    assert [a.label for a in asked.quick_replies] == ["柏木", "角筈", text("settings.skip.label")]
    # And a tap on one of them saves it
    chosen = next(a for a in asked.quick_replies if a.label == "角筈")
    world.dispatcher.dispatch(postback_in(chosen.data))
    assert _settings(world).area == "tsunohazu"


def test_a_place_outside_the_table_is_asked_again_with_what_can_be_typed(world: World) -> None:
    world.dispatcher.dispatch(postback_in("action=settings&item=area"))
    asked = _reply(world.dispatcher.dispatch(text_in("渋谷")))
    assert asked.text.startswith(text("settings.invalid.area"))
    assert world.residents.get(USER) is None


def test_every_town_of_the_postal_table_has_known_areas() -> None:
    # Given the shipped town → area table and the city's areas
    table = city_area_table()
    assert table is not None
    area_ids = load_city().area_ids()
    # Then every town with a postal code finds its areas, and they are areas of the city
    for code, town in table.postal.towns.items():
        if not town:
            continue
        found = table.find(code)
        assert found is not None, town
        assert 1 <= len(found.areas) <= 3
        assert set(found.areas) <= area_ids


def test_a_word_that_could_name_two_choices_is_refused_in_city_yaml() -> None:
    data = load_city().model_dump()
    data["genres"][0]["words"] = ["健康"]  # 健康 already names 健康・福祉
    with pytest.raises(ValidationError, match="健康"):
        City.model_validate(data)


def test_words_compare_whatever_the_width_or_spacing() -> None:
    assert match_choice(load_city().genders, " 女 ") is not None
    assert match_choice(load_city().genders, "女性　").id == "female"  # type: ignore[union-attr]
    assert match_choice(load_city().genders, "") is None
