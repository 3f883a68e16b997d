"""Masked copies of the answers: recognisable to the resident, useless to an onlooker."""

from __future__ import annotations

import pytest
from tests.unit.applications.applications_fakes import ANSWERS

from civicline.domain.applications.masking import mask_address, mask_name, mask_phone, masked_answers


@pytest.mark.parametrize(
    ("name", "masked"),
    [("山田 太郎", "山田 **"), ("山田太郎", "山***"), ("林", "*"), ("Anna Maria Lee", "Anna ***** ***")],
)
def test_names_keep_the_family_name_only(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+819012345678", "090-****-5678"),
        ("+81312345678", "03-****-5678"),
        ("+12025550143", "+1-***-***-0143"),
    ],
)
def test_phones_keep_the_first_and_last_groups(e164: str, masked: str) -> None:
    assert mask_phone(e164) == masked


def test_an_address_in_the_ward_keeps_its_town_only() -> None:
    # Given an address starting with the town its postal code names
    masked = mask_address("東京都新宿区西新宿2-8-1 新宿ハイツ101", "160-0023")
    # Then block, building and room are masked
    assert masked == "東京都新宿区西新宿 ***"


def test_an_address_of_another_shape_keeps_nothing_past_the_first_digit() -> None:
    assert mask_address("どこかの町3-4-5", "999-9999") == "どこかの町 ***"
    assert mask_address("12 Main Street", "999-9999") == "***"


def test_the_masked_map_holds_none_of_the_plain_values() -> None:
    masked = masked_answers(ANSWERS)
    assert set(masked) == {"name", "address", "phone"}
    flat = " ".join(masked.values())
    for plain in ("太郎", "2-8-1", "新宿ハイツ", "1234", "+8190"):
        assert plain not in flat
