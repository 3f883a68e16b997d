"""Partly masked copies of an applicant's answers: enough for the resident to recognise their own
application (confirmation card, 申請状況), too little to be useful to anyone who sees the screen."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from civicline.domain.applications.forms.postal import city_postal_table
from civicline.domain.applications.forms.text_inputs import InvalidInput
from civicline.models.forms import ApplicantAnswers

MASK = "*"
_GROUP_SEPARATORS = re.compile(r"[-\s]")
_DIGIT = re.compile(r"\d")


def mask_name(name: str) -> str:
    """「山田 太郎」→「山田 **」, 「山田太郎」→「山***」.

    The family name stays (or, without a space between the parts, the first character)."""
    parts = name.split()
    if len(parts) > 1:
        return " ".join([parts[0], *(MASK * len(part) for part in parts[1:])])
    return name[:1] + MASK * max(len(name) - 1, 1) if len(name) > 1 else MASK


def mask_phone(e164: str) -> str:
    """「+819012345678」→「090-****-5678」: the area or carrier code and the last group stay visible."""
    try:
        number = phonenumbers.parse(e164, None)
        formats = phonenumbers.PhoneNumberFormat
        local = phonenumbers.region_code_for_number(number) == "JP"
        style = formats.NATIONAL if local else formats.INTERNATIONAL
        shown = phonenumbers.format_number(number, style)
    except phonenumbers.NumberParseException:
        shown = e164
    groups = [g for g in _GROUP_SEPARATORS.split(shown) if g]
    if len(groups) >= 3:
        separator = "-" if "-" in shown else " "
        return separator.join([groups[0], *(MASK * len(g) for g in groups[1:-1]), groups[-1]])
    digits = "".join(groups)
    return MASK * max(len(digits) - 4, 0) + digits[-4:]


def mask_address(address: str, postal_code: str) -> str:
    """The town the postal code names (「東京都新宿区西新宿」), then a mask for block, building and room."""
    text = unicodedata.normalize("NFKC", address)
    try:
        area = city_postal_table().lookup(postal_code).area
    except InvalidInput:
        area = ""
    if area and text.startswith(area):
        return f"{area} {MASK * 3}"
    # Not the form's own shape: keep only what comes before the first digit (never more than the town).
    match = _DIGIT.search(text)
    kept = text[: match.start()] if match else ""
    return f"{kept} {MASK * 3}".strip()


def masked_answers(answers: ApplicantAnswers) -> dict[str, str]:
    """The `piiMasked` map of an Applications item."""
    return {
        "name": mask_name(answers.name),
        "address": mask_address(answers.address, answers.postal_code),
        "phone": mask_phone(answers.phone),
    }
