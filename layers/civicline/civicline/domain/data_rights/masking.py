"""What of an application's answers the resident is shown: only intake's masked copies, checked again.

Intake writes `piiMasked` (civicline/domain/applications/masking.py) for exactly this view; the sealed
answers are never opened here (the conversation worker cannot decrypt them, and must not). A value
shown must carry the mask: one that does not (a writer's mistake, an older item) is shown as a mask
alone, so a mistake elsewhere never puts a full name or phone number on the screen.
"""

from __future__ import annotations

from collections.abc import Mapping

from civicline.domain.applications.masking import MASK

# The masked fields, in the order shown, with the catalogue key of their label (the confirmation
# card's own words, so the resident reads the same names everywhere).
SHOWN_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "intake.card.name"),
    ("address", "intake.card.address"),
    ("phone", "intake.card.phone"),
)
FULLY_MASKED = MASK * 3
SHOWN_VALUE_MAX = 60


def shown_value(value: str) -> str:
    """The value if it is masked (and short), else only a mask."""
    value = value.strip()
    if MASK not in value or len(value) > SHOWN_VALUE_MAX:
        return FULLY_MASKED
    return value


def shown_fields(masked: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """(label key, value) of each masked field present, unknown fields left out."""
    return tuple(
        (label_key, shown_value(str(masked[name]))) for name, label_key in SHOWN_FIELDS if masked.get(name)
    )
