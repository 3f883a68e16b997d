"""Addresses: the prefix the postal code gives is never doubled by what the resident types again."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.unit.applications.forms.forms_chat import Chat

from civicline.domain.applications.forms import load_form
from civicline.domain.applications.forms.address import KnownPrefix, strip_repeated_prefix
from civicline.domain.applications.forms.inputs import Given, read_answer, shown_value
from civicline.domain.applications.forms.postal import city_postal_table
from civicline.domain.applications.forms.text_inputs import InvalidInput
from civicline.models.form_conversation import CONFIRMING

NISHI_SHINJUKU = {"code": "160-0023", "town": "西新宿", "area": "東京都新宿区西新宿"}
TABLE = city_postal_table()
TOWNS = sorted({town for town in TABLE.towns.values() if town})


def _address_of(typed: str, postal: dict[str, str] = NISHI_SHINJUKU) -> str:
    step = load_form("koho_delivery").step("address")
    value = read_answer(step, Given(text=typed), lambda ref: postal[ref.split(".")[1]])
    assert isinstance(value, str)
    return value


@pytest.mark.parametrize(
    "typed",
    [
        "2-8-1",
        "西新宿2-8-1",
        "西新宿西新宿2-8-1",
        "東京都新宿区西新宿2-8-1",
        "東京都新宿区西新宿西新宿2-8-1",
        "東京都新宿区西新宿東京都新宿区西新宿2-8-1",
        "新宿区西新宿2-8-1",
        "東京都　新宿区　西新宿　２－８－１",
    ],
)
def test_a_resident_who_types_the_town_again_gets_it_once(typed: str) -> None:
    # Given the postal code 160-0023 gave 「東京都新宿区西新宿」
    # When the resident types the ward, the town or the whole prefix again before the street number
    # Then the address has the prefix once, and the number as typed
    assert _address_of(typed) == "東京都新宿区西新宿2-8-1"


def test_a_repeated_town_before_a_kanji_chome_is_dropped_and_the_chome_kept() -> None:
    assert _address_of("西新宿新宿区西新宿二丁目8番1号") == "東京都新宿区西新宿二丁目8番1号"
    assert _address_of("西新宿二丁目8番1号") == "東京都新宿区西新宿二丁目8番1号"


def test_a_building_named_after_the_town_is_kept() -> None:
    # 「西新宿ビル」 is a name, not a repeat: nothing follows the town that a street number would
    assert _address_of("西新宿ビル3階") == "東京都新宿区西新宿西新宿ビル3階"


def test_the_town_shinjuku_does_not_swallow_the_ward_name() -> None:
    shinjuku = {"code": "160-0022", "town": "新宿", "area": "東京都新宿区新宿"}
    assert _address_of("新宿区新宿3-1-1", shinjuku) == "東京都新宿区新宿3-1-1"
    assert _address_of("新宿3-1-1", shinjuku) == "東京都新宿区新宿3-1-1"


def test_a_resident_of_a_building_with_its_own_code_can_type_the_street_again() -> None:
    # Given a postal code of one building (its "town" names the building)
    centre = {
        "code": "163-0690",
        "town": "西新宿新宿センタービル",
        "area": "東京都新宿区西新宿新宿センタービル",
    }
    # When the resident types the street address of the building anyway, Then the street is not doubled
    assert _address_of("西新宿1-25-1 10階", centre) == "東京都新宿区西新宿新宿センタービル1-25-1 10階"


def test_only_the_prefix_again_asks_for_the_street_number() -> None:
    step = load_form("koho_delivery").step("address")
    with pytest.raises(InvalidInput) as refused:
        read_answer(step, Given(text="東京都新宿区西新宿"), lambda ref: NISHI_SHINJUKU[ref.split(".")[1]])
    assert refused.value.key == "forms.error.address_number"


def test_the_confirmation_card_shows_the_address_that_will_be_delivered_to() -> None:
    # Given a resident who typed the whole address after giving the postal code
    chat = Chat("koho_delivery", kind="new")
    chat.say_all("新宿 太郎", "シンジュク タロウ", "160-0023")
    chat.tap("はい")
    chat.say_all("東京都新宿区西新宿西新宿2-8-1", "03-1234-5678")
    # Then the card shows the address once, as it will be submitted
    assert chat.step == CONFIRMING
    assert ("住所", "東京都新宿区西新宿2-8-1") in chat.rendered.summary
    step = load_form("koho_delivery").step("address")
    assert shown_value(step, "東京都新宿区西新宿2-8-1").params == {"value": "東京都新宿区西新宿2-8-1"}


# --- properties -------------------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.from_regex(r"\A[1-9][0-9]?-[1-9][0-9]?(-[1-9][0-9]?)?\Z"),
    st.from_regex(r"\A[一二三四五六七八九]丁目[1-9][0-9]?番[1-9][0-9]?号\Z"),
)


@st.composite
def typed_addresses(draw: st.DrawFn) -> tuple[KnownPrefix, str, str]:
    town = draw(st.sampled_from(TOWNS))
    prefix = KnownPrefix.of(TABLE.prefecture + TABLE.city + town, TABLE.prefecture, TABLE.city, TOWNS)
    parts = [TABLE.prefecture, TABLE.city, town, TABLE.prefecture + TABLE.city + town, TABLE.city + town]
    repeats = draw(st.lists(st.sampled_from(parts), max_size=3))
    spaces = draw(st.sampled_from(["", " "]))
    number = draw(NUMBERS)
    # As the stripper receives it: after normalise_address_detail (NFKC), so 新宿ＮＳビル is typed 新宿NSビル.
    return prefix, unicodedata.normalize("NFKC", spaces.join([*repeats, number])), number


@given(typed_addresses())
def test_stripping_never_removes_the_street_number(case: tuple[KnownPrefix, str, str]) -> None:
    # Given any town of the city, any repeats of its prefix, and a street number
    prefix, typed, number = case
    # When the repeats are stripped, Then exactly the street number is left
    assert strip_repeated_prefix(typed, prefix) == number


@given(st.sampled_from(TOWNS), st.text(max_size=40))
def test_stripping_is_idempotent_and_only_removes_from_the_start(town: str, typed: str) -> None:
    prefix = KnownPrefix.of(TABLE.prefecture + TABLE.city + town, TABLE.prefecture, TABLE.city, TOWNS)
    once = strip_repeated_prefix(typed, prefix)
    assert strip_repeated_prefix(once, prefix) == once
    assert typed.endswith(once)
