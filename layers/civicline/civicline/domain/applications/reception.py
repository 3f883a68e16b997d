"""Reception numbers: `KH-20261127-0042`, a form's prefix, the ward's date and that day's sequence.

Residents read them out on the phone, so they stay short and unambiguous; the sequence is per form
prefix and ward day (an atomic counter in the store), so numbers are unique without coordination.
"""

from __future__ import annotations

import re
from datetime import date

SEQUENCE_DIGITS = 4

# A form's prefix is part of what residents quote; a form not listed gets its id's first two letters.
RECEPTION_PREFIXES: dict[str, str] = {"koho_delivery": "KH"}

RECEPTION_NUMBER_PATTERN = re.compile(r"^[A-Z]{2,4}-\d{8}-\d{4,}$")


def reception_prefix(form_id: str) -> str:
    return RECEPTION_PREFIXES.get(form_id) or re.sub(r"[^a-z]", "", form_id)[:2].upper() or "AP"


def format_reception_number(prefix: str, day: date, sequence: int) -> str:
    """`KH-20261127-0042`; past 9999 a day the sequence simply grows a digit rather than repeating."""
    if sequence < 1:
        raise ValueError("sequences start at 1")
    return f"{prefix}-{day:%Y%m%d}-{sequence:0{SEQUENCE_DIGITS}d}"
