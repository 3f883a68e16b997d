"""「登録情報の確認」: what the ward holds about the resident, told back to them alone.

At most four messages: the profile card, the 受信設定 card (the settings flow's own, so its 変更
buttons work from here too), the applications card (masked answers only), and a closing line with the
erasure's quick reply. A conversation's typed answers and survey answers are counted, never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from civicline.domain.applications.labels import form_title, kind_label
from civicline.domain.chat.replies import Answer, Card, CardRow, Reply, TextReply, WhenStale
from civicline.domain.data_rights.actions import ask_action
from civicline.domain.data_rights.masking import shown_fields
from civicline.domain.data_rights.records import HeldApplication, Holdings
from civicline.messages import CatalogueError, text
from civicline.models.resident import Resident
from civicline.ward_time import ward_time

SHOWN_APPLICATIONS = 5  # a bubble stays readable (and far below LINE's 30 KB) with five rows

SettingsCard = Callable[[Resident], Card]


def date_text(moment: datetime) -> str:
    local = ward_time(moment)
    return text("data_rights.date", year=local.year, month=local.month, day=local.day)


def _status_label(status: str) -> str:
    try:
        return text(f"intake.status.{status}")
    except CatalogueError:  # a status this code does not know shows as itself rather than failing the view
        return status


def profile_card(holdings: Holdings) -> Card:
    resident = holdings.resident
    not_kept = text("data_rights.profile.not_kept")
    rows: list[CardRow] = []
    if resident is None:
        rows.append(CardRow(text("data_rights.profile.display_name"), text("data_rights.profile.no_profile")))
    else:
        rows += [
            CardRow(text("data_rights.profile.display_name"), resident.display_name or not_kept),
            CardRow(
                text("data_rights.profile.picture"),
                text("data_rights.profile.picture_kept") if resident.picture_url else not_kept,
            ),
            CardRow(text("data_rights.profile.followed_at"), date_text(resident.followed_at)),
            CardRow(
                text("data_rights.profile.status"),
                text(f"data_rights.profile.status.{resident.status.value}"),
            ),
        ]
    rows.append(
        CardRow(
            text("data_rights.profile.conversation"),
            text("data_rights.profile.conversation_open")
            if holdings.open_flow
            else text("data_rights.profile.none"),
        )
    )
    rows.append(
        CardRow(
            text("data_rights.profile.surveys"),
            text("data_rights.profile.surveys_value", count=holdings.surveys)
            if holdings.surveys
            else text("data_rights.profile.none"),
        )
    )
    return Card(
        alt_text=text("data_rights.profile.alt_text"),
        title=text("data_rights.profile.title"),
        rows=tuple(rows),
        note=text("data_rights.profile.note") if resident is not None else None,
    )


def _application_row(application: HeldApplication) -> CardRow:
    submitted = ward_time(application.submitted_at)
    lines = [
        text(
            "data_rights.applications.row_value",
            title=form_title(application.form_id),
            kind=kind_label(application.form_id, application.kind),
            status=_status_label(application.status),
            year=submitted.year,
            month=submitted.month,
            day=submitted.day,
        )
    ]
    lines += [
        text("data_rights.applications.field", label=text(label_key), value=value)
        for label_key, value in shown_fields(application.masked)
    ]
    return CardRow(
        label=text("data_rights.applications.row_label", reception_number=application.reception_number),
        value="\n".join(lines),
    )


def applications_card(applications: tuple[HeldApplication, ...], limit: int = SHOWN_APPLICATIONS) -> Card:
    shown = applications[:limit]
    note = text("data_rights.applications.note")
    if len(applications) > len(shown):
        note += text("data_rights.applications.note_more", shown=len(shown), count=len(applications))
    return Card(
        alt_text=text("data_rights.applications.alt_text", count=len(applications)),
        title=text("data_rights.applications.title"),
        rows=tuple(_application_row(application) for application in shown),
        note=note,
    )


def disclosure_answer(holdings: Holdings, settings_card: SettingsCard) -> Answer:
    if holdings.empty:
        return Answer(
            replies=(TextReply(text("data_rights.none")),),
            when_stale=WhenStale.PUSH,
            tags=("data_rights.disclosed.none",),
        )
    replies: list[Reply] = [profile_card(holdings)]
    if holdings.resident is not None:
        replies.append(settings_card(holdings.resident))
    if holdings.applications:
        replies.append(applications_card(holdings.applications))
    replies.append(TextReply(text("data_rights.show.closing"), quick_replies=(ask_action(),)))
    return Answer(replies=tuple(replies), when_stale=WhenStale.PUSH, tags=("data_rights.disclosed",))
