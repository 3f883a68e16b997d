"""Phone numbers, parsed and formatted by `phonenumbers` with Japan as the default region."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from civicline.domain.applications.forms.text_inputs import InvalidInput

DEFAULT_REGION = "JP"
_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\uff70\ufe63]")
_MAX_RAW = 40
# Numbers that reach a company's switchboard, not a person: フリーダイヤル (0120, 0800), ナビダイヤル
# (0570, which phonenumbers types as UAN), premium and shared-cost lines. The ward cannot call a resident
# back on them, and some cost the caller.
SERVICE_NUMBER_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.UAN,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
    }
)


@dataclass(frozen=True)
class PhoneNumber:
    e164: str  # "+81312345678"
    display: str  # "03-1234-5678" for a Japanese number, else "+1 202-555-0143"

    def as_answer(self) -> dict[str, str]:
        return {"e164": self.e164, "display": self.display}


def normalise_phone(
    raw: str, region: str = DEFAULT_REGION, *, accept_service_numbers: bool = False
) -> PhoneNumber:
    """「090-1234-5678」「０３（１２３４）５６７８」「+81 3 1234 5678」 → E.164 and a readable form.

    Service numbers (0120, 0570…) are refused unless `accept_service_numbers`: see docs/forms.md.
    """
    text = _DASHES.sub("-", unicodedata.normalize("NFKC", raw)).strip()
    if not text or len(text) > _MAX_RAW:
        raise InvalidInput("forms.error.phone")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput("forms.error.phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("forms.error.phone")
    if not accept_service_numbers and phonenumbers.number_type(number) in SERVICE_NUMBER_TYPES:
        raise InvalidInput("forms.error.phone_service")
    local = phonenumbers.region_code_for_number(number) == region
    style = phonenumbers.PhoneNumberFormat.NATIONAL if local else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return PhoneNumber(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        display=phonenumbers.format_number(number, style),
    )
