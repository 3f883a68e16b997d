"""「登録情報の削除」's words: the confirmation card before, and the account of what was done after."""

from __future__ import annotations

from datetime import timedelta

from civicline.domain.chat.replies import Card, CardRow
from civicline.domain.chat.wording import Phrase, Verbatim, joined, lines, say
from civicline.domain.data_rights.actions import cancel_action, erase_action
from civicline.domain.data_rights.records import Erasure, Holdings

# How long 削除する stays valid after the card was asked for.
CONFIRMATION_WINDOW = timedelta(minutes=15)
LISTED_RECEPTION_NUMBERS = 10  # the rest are counted: the reply stays short


def window_minutes(window: timedelta = CONFIRMATION_WINDOW) -> int:
    return int(window.total_seconds() // 60)


def confirmation_card(
    holdings: Holdings, asked_at_epoch: int, window: timedelta = CONFIRMATION_WINDOW
) -> Card[Phrase]:
    rows = [CardRow(say("data_rights.confirm.deleted_label"), say("data_rights.confirm.deleted_value"))]
    if holdings.applications:
        rows.append(
            CardRow(
                say("data_rights.confirm.applications_label"),
                say("data_rights.confirm.applications_value", count=len(holdings.applications)),
            )
        )
    if holdings.pending:
        rows.append(
            CardRow(
                say("data_rights.confirm.pending_label"),
                say("data_rights.confirm.pending_value", count=len(holdings.pending)),
            )
        )
    if holdings.surveys:
        rows.append(
            CardRow(
                say("data_rights.confirm.surveys_label"),
                say("data_rights.confirm.surveys_value", count=holdings.surveys),
            )
        )
    rows.append(CardRow(say("data_rights.confirm.kept_label"), say("data_rights.confirm.kept_value")))
    return Card(
        alt_text=say("data_rights.confirm.alt_text"),
        title=say("data_rights.confirm.title"),
        rows=tuple(rows),
        buttons=(erase_action(asked_at_epoch), cancel_action()),
        note=say("data_rights.confirm.note", minutes=window_minutes(window)),
    )


def erased_text(erasure: Erasure) -> Phrase:
    """What was deleted and what the ward keeps, in the resident's words."""
    if erasure.nothing:
        return say("data_rights.erased.nothing")
    blank = Verbatim("")
    said: list[Phrase] = [say("data_rights.erased.heading"), blank, say("data_rights.erased.deleted_heading")]
    if erasure.profile:
        said += [say("data_rights.erased.deleted_profile"), say("data_rights.erased.deleted_settings")]
    if erasure.conversation:
        said.append(say("data_rights.erased.deleted_conversation"))
    withdrawn = sum(1 for application in erasure.applications if application.withdrawn)
    if erasure.applications:
        said.append(say("data_rights.erased.deleted_applications", count=len(erasure.applications)))
        if withdrawn:
            said.append(say("data_rights.erased.withdrawn", count=withdrawn))
    if erasure.survey_free_texts:
        said.append(say("data_rights.erased.deleted_survey_free_texts", count=erasure.survey_free_texts))
    said += [blank, say("data_rights.erased.kept_heading")]
    if erasure.applications:
        numbers: list[Phrase] = [
            Verbatim(a.reception_number) for a in erasure.applications[:LISTED_RECEPTION_NUMBERS]
        ]
        rest = len(erasure.applications) - len(numbers)
        if rest:
            numbers.append(say("data_rights.erased.kept_more", count=rest))
        listed = joined(numbers, say("data_rights.list.separator"))
        said.append(say("data_rights.erased.kept_applications", numbers=listed))
    if erasure.surveys:
        said.append(say("data_rights.erased.kept_surveys", count=erasure.surveys))
    said.append(say("data_rights.erased.kept_audit"))
    if len(erasure.applications) > withdrawn:
        said += [blank, say("data_rights.erased.ward_copies")]
    said += [blank, say("data_rights.erased.afterwards")]
    return lines(*said)
