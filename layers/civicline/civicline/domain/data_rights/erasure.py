"""「登録情報の削除」's words: the confirmation card before, and the account of what was done after."""

from __future__ import annotations

from datetime import timedelta

from civicline.domain.chat.replies import Card, CardRow
from civicline.domain.data_rights.actions import cancel_action, erase_action
from civicline.domain.data_rights.records import Erasure, Holdings
from civicline.messages import text

# How long 削除する stays valid after the card was asked for.
CONFIRMATION_WINDOW = timedelta(minutes=15)
LISTED_RECEPTION_NUMBERS = 10  # the rest are counted: the reply stays short


def window_minutes(window: timedelta = CONFIRMATION_WINDOW) -> int:
    return int(window.total_seconds() // 60)


def confirmation_card(
    holdings: Holdings, asked_at_epoch: int, window: timedelta = CONFIRMATION_WINDOW
) -> Card:
    rows = [CardRow(text("data_rights.confirm.deleted_label"), text("data_rights.confirm.deleted_value"))]
    if holdings.applications:
        rows.append(
            CardRow(
                text("data_rights.confirm.applications_label"),
                text("data_rights.confirm.applications_value", count=len(holdings.applications)),
            )
        )
    if holdings.pending:
        rows.append(
            CardRow(
                text("data_rights.confirm.pending_label"),
                text("data_rights.confirm.pending_value", count=len(holdings.pending)),
            )
        )
    rows.append(CardRow(text("data_rights.confirm.kept_label"), text("data_rights.confirm.kept_value")))
    return Card(
        alt_text=text("data_rights.confirm.alt_text"),
        title=text("data_rights.confirm.title"),
        rows=tuple(rows),
        buttons=(erase_action(asked_at_epoch), cancel_action()),
        note=text("data_rights.confirm.note", minutes=window_minutes(window)),
    )


def erased_text(erasure: Erasure) -> str:
    """What was deleted and what the ward keeps, in the resident's words."""
    if erasure.nothing:
        return text("data_rights.erased.nothing")
    lines = [text("data_rights.erased.heading"), "", text("data_rights.erased.deleted_heading")]
    if erasure.profile:
        lines += [text("data_rights.erased.deleted_profile"), text("data_rights.erased.deleted_settings")]
    if erasure.conversation:
        lines.append(text("data_rights.erased.deleted_conversation"))
    withdrawn = sum(1 for application in erasure.applications if application.withdrawn)
    if erasure.applications:
        lines.append(text("data_rights.erased.deleted_applications", count=len(erasure.applications)))
        if withdrawn:
            lines.append(text("data_rights.erased.withdrawn", count=withdrawn))
    lines += ["", text("data_rights.erased.kept_heading")]
    if erasure.applications:
        numbers = [a.reception_number for a in erasure.applications[:LISTED_RECEPTION_NUMBERS]]
        listed = text("data_rights.list.separator").join(numbers)
        rest = len(erasure.applications) - len(numbers)
        if rest:
            listed += text("data_rights.list.separator") + text("data_rights.erased.kept_more", count=rest)
        lines.append(text("data_rights.erased.kept_applications", numbers=listed))
    if erasure.surveys:
        lines.append(text("data_rights.erased.kept_surveys", count=erasure.surveys))
    lines.append(text("data_rights.erased.kept_audit"))
    if len(erasure.applications) > withdrawn:
        lines += ["", text("data_rights.erased.ward_copies")]
    lines += ["", text("data_rights.erased.afterwards")]
    return "\n".join(lines)
