"""What the resident is told once intake has decided: the confirmation card, or why it was refused.

Values only; the LINE adapter draws them (a Flex bubble, a text). Personal data appears masked only.
"""

from __future__ import annotations

from dataclasses import dataclass

from civicline.domain.applications.labels import edition_text, form_title, kind_label
from civicline.domain.applications.masking import masked_answers
from civicline.domain.applications.records import IntakeOutcome
from civicline.messages import text
from civicline.models.forms import Application


@dataclass(frozen=True, slots=True)
class SummaryRow:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class ConfirmationCard:
    alt_text: str
    heading: str
    form_title: str
    reception_label: str
    reception_number: str
    rows: tuple[SummaryRow, ...]
    note: str


@dataclass(frozen=True, slots=True)
class PendingRefusal:
    text: str


Notice = ConfirmationCard | PendingRefusal


def notice_for(application: Application, outcome: IntakeOutcome) -> Notice:
    """The notice in the applicant's language (the one they applied in)."""
    lang = application.language.value
    title = form_title(application.form_id, lang)
    kind = kind_label(application.form_id, application.kind, lang)
    if outcome.result == "refused_pending":
        return PendingRefusal(
            text(
                "intake.refused.pending",
                lang,
                title=title,
                kind=kind,
                reception_number=outcome.reception_number,
            )
        )
    masked = masked_answers(application.answers)
    rows = [
        SummaryRow(text("intake.card.kind", lang), kind),
        SummaryRow(text("intake.card.name", lang), masked["name"]),
        SummaryRow(text("intake.card.address", lang), masked["address"]),
        SummaryRow(text("intake.card.phone", lang), masked["phone"]),
    ]
    if application.first_edition is not None:
        value = edition_text("intake.card.edition_from", application.first_edition, lang)
        rows.append(SummaryRow(text("intake.card.first_edition", lang), value))
    if application.last_edition is not None:
        value = edition_text("intake.card.edition_until", application.last_edition, lang)
        rows.append(SummaryRow(text("intake.card.last_edition", lang), value))
    number = outcome.reception_number
    return ConfirmationCard(
        alt_text=text("intake.card.alt_text", lang, title=title, kind=kind, reception_number=number),
        heading=text("intake.card.heading", lang),
        form_title=title,
        reception_label=text("intake.card.reception_number", lang),
        reception_number=outcome.reception_number,
        rows=tuple(rows),
        note=text("intake.card.note", lang),
    )
