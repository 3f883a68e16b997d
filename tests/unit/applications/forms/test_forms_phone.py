"""Phone numbers: phonenumbers (JP) decides; full-width digits and dashes are fine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from civicline import messages
from civicline.domain.applications.forms import load_form
from civicline.domain.applications.forms.inputs import Given, read_answer
from civicline.domain.applications.forms.phone import normalise_phone
from civicline.domain.applications.forms.text_inputs import InvalidInput
from civicline.models.forms import InputType, Step

FULL_WIDTH = str.maketrans("0123456789-()+", "０１２３４５６７８９－（）＋")
# Japanese numbers in the shapes residents have: Tokyo land line, mobile, IP phone, free dial.
JP_NUMBERS = st.one_of(
    st.from_regex(r"\A03-[1-9]\d{3}-\d{4}\Z"),
    st.from_regex(r"\A0[789]0-[1-9]\d{3}-\d{4}\Z"),
    st.from_regex(r"\A050-[1-9]\d{3}-\d{4}\Z"),
)


@pytest.mark.parametrize(
    ("raw", "e164", "display"),
    [
        ("03-1234-5678", "+81312345678", "03-1234-5678"),
        ("0312345678", "+81312345678", "03-1234-5678"),
        ("０３－１２３４－５６７８", "+81312345678", "03-1234-5678"),
        ("03(1234)5678", "+81312345678", "03-1234-5678"),
        ("090-1234-5678", "+819012345678", "090-1234-5678"),
        ("+81 90 1234 5678", "+819012345678", "090-1234-5678"),
        ("090ー1234ー5678", "+819012345678", "090-1234-5678"),
        ("+1 202-555-0143", "+12025550143", "+1 202-555-0143"),
    ],
)
def test_phone_numbers_are_stored_in_e164_and_shown_in_national_form(
    raw: str, e164: str, display: str
) -> None:
    phone = normalise_phone(raw)
    assert phone.e164 == e164
    assert phone.display == display


@pytest.mark.parametrize("raw", ["", "1234", "03-1234", "abc", "090-1234-56789", "0" * 60, "電話番号"])
def test_an_invalid_number_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_phone(raw)
    assert refused.value.key == "forms.error.phone"


@given(JP_NUMBERS)
def test_full_width_and_half_width_numbers_read_the_same(number: str) -> None:
    assert normalise_phone(number.translate(FULL_WIDTH)) == normalise_phone(number)


@given(JP_NUMBERS)
def test_the_stored_number_reads_back_as_itself(number: str) -> None:
    phone = normalise_phone(number)
    assert normalise_phone(phone.e164) == phone
    assert normalise_phone(phone.display) == phone
    assert phone.e164.startswith("+81")


@given(st.text(max_size=50))
def test_whatever_is_typed_the_result_is_valid_e164_or_a_refusal(raw: str) -> None:
    try:
        phone = normalise_phone(raw)
    except InvalidInput:
        return
    assert phone.e164.startswith("+")
    assert phone.e164[1:].isdigit()


# --- service numbers (issue 10): a contact number must reach the resident -------------------------


@pytest.mark.parametrize(
    "raw", ["0120-123-456", "0800-123-4567", "0570-123-456", "０１２０－１２３－４５６", "0990-123-456"]
)
def test_a_free_dial_or_navi_dial_number_is_refused_as_a_contact_number(raw: str) -> None:
    # Given a resident who types a company's フリーダイヤル / ナビダイヤル number as their daytime number
    # When it is read with the resident-friendly default, Then it is refused with its own message
    with pytest.raises(InvalidInput) as refused:
        normalise_phone(raw)
    assert refused.value.key == "forms.error.phone_service"


def test_a_form_that_allows_service_numbers_accepts_them() -> None:
    phone = normalise_phone("0120-123-456", accept_service_numbers=True)
    assert phone.e164 == "+81120123456"


@given(JP_NUMBERS)
def test_land_line_mobile_and_ip_phone_numbers_are_still_accepted(number: str) -> None:
    assert normalise_phone(number).e164.startswith("+81")


def test_the_delivery_form_refuses_service_numbers_and_says_why() -> None:
    step = load_form("koho_delivery").step("phone")
    assert step.accept_service_numbers is False
    with pytest.raises(InvalidInput) as refused:
        read_answer(step, Given(text="0570-123-456"), lambda ref: "")
    assert "ナビダイヤル" in messages.text(refused.value.key)


def test_only_phone_steps_can_allow_service_numbers() -> None:
    with pytest.raises(ValidationError):
        Step(id="name", input=InputType.NAME, prompt="forms.koho.name.prompt", accept_service_numbers=True)
