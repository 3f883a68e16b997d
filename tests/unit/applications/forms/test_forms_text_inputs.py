"""Names, フリガナ, address details and free text: properties of the normalisers and validators."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from civicline.domain.applications.forms.text_inputs import (
    InvalidInput,
    has_control,
    has_emoji,
    hiragana_to_katakana,
    normalise_address_detail,
    normalise_free_text,
    normalise_kana,
    normalise_name,
)

HIRAGANA = st.text(
    alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3096), min_size=1, max_size=20
)
EMOJI = st.sampled_from(["😀", "👍🏽", "🇯🇵", "❤️", "👨‍👩‍👧", "☀", "🍣", "1️⃣"])
CONTROL = st.sampled_from(["\x00", "\x07", "\t", "\x1b", "\x7f", "\u200b", "\u202e"])
ANY_TEXT = st.text(max_size=80)


def _accepts(normaliser, raw: str) -> str | None:
    try:
        return normaliser(raw)
    except InvalidInput:
        return None


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("新宿 太郎", "新宿 太郎"),
        ("新宿　太郎", "新宿 太郎"),  # full-width space
        ("  新宿   太郎  ", "新宿 太郎"),
        ("ｼﾝｼﾞｭｸ ﾀﾛｳ", "シンジュク タロウ"),  # half-width katakana
        ("Ｊｏｈｎ　Ｓｍｉｔｈ", "John Smith"),  # full-width Latin
        ("髙橋 花子", "髙橋 花子"),
    ],
)
def test_name_is_nfkc_normalised_with_single_spaces(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", "forms.error.empty"),
        ("　 ", "forms.error.empty"),
        ("新宿 太郎😀", "forms.error.emoji"),
        ("新宿\x00太郎", "forms.error.control"),
        ("新宿\u200b太郎", "forms.error.control"),
        ("新" * 51, "forms.error.too_long"),
        ("新宿 太郎2", "forms.error.name_digits"),
    ],
)
def test_name_refusals_say_what_is_wrong(raw: str, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_name(raw)
    assert refused.value.key == key


@given(ANY_TEXT)
def test_an_accepted_name_is_its_own_normal_form(raw: str) -> None:
    name = _accepts(normalise_name, raw)
    assume(name is not None)
    assert name is not None
    assert normalise_name(name) == name
    assert 1 <= len(name) <= 50
    assert name == name.strip()
    assert "  " not in name
    assert unicodedata.normalize("NFKC", name) == name
    assert not has_emoji(name)
    assert not has_control(name)


@given(ANY_TEXT, EMOJI, ANY_TEXT)
def test_a_name_with_an_emoji_is_never_accepted(before: str, emoji: str, after: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_name(before + emoji + after)


@given(ANY_TEXT, CONTROL, ANY_TEXT)
@settings(deadline=None)  # asserts what is refused, not how fast: a loaded machine must not fail it
def test_a_name_with_a_control_character_is_never_accepted(before: str, control: str, after: str) -> None:
    assume(control != "\t" or (before + after).strip())  # a lone tab is whitespace: refused as empty
    with pytest.raises(InvalidInput):
        normalise_name(before + control + after)


@given(st.integers(min_value=1, max_value=200), st.text(min_size=1, max_size=300))
def test_a_name_never_exceeds_its_cap(cap: int, raw: str) -> None:
    name = _accepts(lambda text: normalise_name(text, cap), raw)
    assert name is None or len(name) <= cap


# --- フリガナ -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("しんじゅく たろう", "シンジュク タロウ"),
        ("シンジュク　タロウ", "シンジュク タロウ"),
        ("ｼﾝｼﾞｭｸ ﾀﾛｳ", "シンジュク タロウ"),
        ("すずき　ゆーこ", "スズキ ユーコ"),
        ("ゔぁいおれっと", "ヴァイオレット"),
        ("スミス・ジョン", "スミス・ジョン"),
    ],
)
def test_kana_becomes_full_width_katakana(raw: str, expected: str) -> None:
    assert normalise_kana(raw) == expected


@pytest.mark.parametrize("raw", ["新宿 太郎", "Shinjuku Taro", "シンジュク1", "シンジュク🍣", "ｼﾝｼﾞｭｸ!"])
def test_kana_refuses_other_scripts(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_kana(raw)


@given(HIRAGANA)
def test_hiragana_and_its_katakana_read_the_same(hiragana: str) -> None:
    katakana = hiragana_to_katakana(hiragana)
    assert normalise_kana(hiragana) == normalise_kana(katakana) == katakana


@given(HIRAGANA, HIRAGANA, st.sampled_from([" ", "　", "  ", " 　"]))
def test_any_spacing_between_family_and_given_name_reads_as_one_space(
    family: str, given_name: str, space: str
) -> None:
    assert normalise_kana(family + space + given_name) == normalise_kana(family + " " + given_name)


KANA_LIKE = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x3041, max_codepoint=0x30FF),  # hiragana and katakana blocks
        st.characters(min_codepoint=0xFF61, max_codepoint=0xFF9F),  # half-width katakana
        st.sampled_from(" 　ー-・A1"),
    ),
    max_size=60,
)


@given(KANA_LIKE)
def test_an_accepted_kana_is_katakana_and_spaces_only(raw: str) -> None:
    kana = _accepts(normalise_kana, raw)
    if kana is None:
        return
    assert normalise_kana(kana) == kana
    assert all(ch == " " or "\u30a0" <= ch <= "\u30ff" for ch in kana)
    assert 1 <= len(kana) <= 50


# --- address details and free text ------------------------------------------------------------------


def test_address_detail_turns_full_width_digits_and_dashes_into_ascii() -> None:
    assert normalise_address_detail("２－３－４　新宿ハイツ１０１") == "2-3-4 新宿ハイツ101"


@given(ANY_TEXT)
def test_an_accepted_address_detail_is_one_clean_line(raw: str) -> None:
    detail = _accepts(normalise_address_detail, raw)
    assume(detail is not None)
    assert detail is not None
    assert normalise_address_detail(detail) == detail
    assert "\n" not in detail
    assert 1 <= len(detail) <= 80
    assert not has_emoji(detail)
    assert not has_control(detail)


@given(ANY_TEXT, EMOJI, ANY_TEXT)
def test_an_address_with_an_emoji_is_never_accepted(before: str, emoji: str, after: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_address_detail(before + emoji + after)


def test_free_text_keeps_what_was_written_including_emoji_and_line_breaks() -> None:
    assert normalise_free_text("  引っ越しのため\r\nです🙏  ") == "引っ越しのため\nです🙏"


@given(st.text(max_size=400))
def test_accepted_free_text_is_capped_and_free_of_controls(raw: str) -> None:
    text = _accepts(normalise_free_text, raw)
    assume(text is not None)
    assert text is not None
    assert 1 <= len(text) <= 200
    assert not has_control(text, allow_newline=True)
    assert normalise_free_text(text) == text


def test_refusals_never_carry_the_input() -> None:
    # Given personal data that is refused / When the re-prompt is built / Then only a key and a cap travel
    with pytest.raises(InvalidInput) as refused:
        normalise_name("新宿 太郎😀")
    assert "新宿" not in str(refused.value)
    assert "新宿" not in repr(refused.value.params)
