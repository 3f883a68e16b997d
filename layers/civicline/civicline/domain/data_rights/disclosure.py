"""「登録情報の確認」: what the ward holds about the resident, told back to them alone.

At most four messages: the profile card, the 受信設定 card (the settings flow's own, so its 変更
buttons work from here too), the applications card (masked answers only), and a closing line with the
erasure's quick reply. A conversation's typed answers and survey answers are counted, never shown; a
survey's typed answers (sealed at intake) are listed as a mask with their length.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from civicline.domain.applications.labels import form_title_phrase, kind_phrase
from civicline.domain.chat.replies import Answer, Card, CardRow, Reply, TextReply, WhenStale
from civicline.domain.chat.wording import Phrase, Verbatim, joined, lines, say
from civicline.domain.data_rights.actions import ask_action
from civicline.domain.data_rights.masking import shown_fields
from civicline.domain.data_rights.records import HeldApplication, Holdings
from civicline.messages import CatalogueError, entry
from civicline.models.resident import Resident
from civicline.ward_time import ward_time

SHOWN_APPLICATIONS = 5  # a bubble stays readable (and far below LINE's 30 KB) with five rows

SettingsCard = Callable[[Resident], Card[Phrase]]


def date_text(moment: datetime) -> Phrase:
    local = ward_time(moment)
    return say("data_rights.date", year=local.year, month=local.month, day=local.day)


def _status_label(status: str) -> Phrase:
    key = f"intake.status.{status}"
    try:
        entry(key)
    except CatalogueError:  # a status this code does not know shows as itself rather than failing the view
        return Verbatim(status)
    return say(key)


def profile_card(holdings: Holdings) -> Card[Phrase]:
    resident = holdings.resident
    not_kept = say("data_rights.profile.not_kept")
    rows: list[CardRow[Phrase]] = []
    if resident is None:
        rows.append(CardRow(say("data_rights.profile.display_name"), say("data_rights.profile.no_profile")))
    else:
        rows += [
            CardRow(
                say("data_rights.profile.display_name"),
                Verbatim(resident.display_name) if resident.display_name else not_kept,
            ),
            CardRow(
                say("data_rights.profile.picture"),
                say("data_rights.profile.picture_kept") if resident.picture_url else not_kept,
            ),
            CardRow(say("data_rights.profile.followed_at"), date_text(resident.followed_at)),
            CardRow(
                say("data_rights.profile.status"),
                say(f"data_rights.profile.status.{resident.status.value}"),
            ),
        ]
    rows.append(
        CardRow(
            say("data_rights.profile.conversation"),
            say("data_rights.profile.conversation_open")
            if holdings.open_flow
            else say("data_rights.profile.none"),
        )
    )
    surveys: Phrase = say("data_rights.profile.none")
    if holdings.surveys:
        surveys = lines(
            say("data_rights.profile.surveys_value", count=holdings.surveys),
            *(
                say("data_rights.profile.surveys_free_text", length=length)
                for length in holdings.survey_free_texts
            ),
        )
    rows.append(CardRow(say("data_rights.profile.surveys"), surveys))
    return Card(
        alt_text=say("data_rights.profile.alt_text"),
        title=say("data_rights.profile.title"),
        rows=tuple(rows),
        note=say("data_rights.profile.note") if resident is not None else None,
    )


def _application_row(application: HeldApplication) -> CardRow[Phrase]:
    submitted = ward_time(application.submitted_at)
    said: list[Phrase] = [
        say(
            "data_rights.applications.row_value",
            title=form_title_phrase(application.form_id),
            kind=kind_phrase(application.form_id, application.kind),
            status=_status_label(application.status),
            year=submitted.year,
            month=submitted.month,
            day=submitted.day,
        )
    ]
    said += [
        say("data_rights.applications.field", label=say(label_key), value=Verbatim(value))
        for label_key, value in shown_fields(application.masked)
    ]
    return CardRow(
        label=say("data_rights.applications.row_label", reception_number=application.reception_number),
        value=lines(*said),
    )


def applications_card(
    applications: tuple[HeldApplication, ...], limit: int = SHOWN_APPLICATIONS
) -> Card[Phrase]:
    shown = applications[:limit]
    note: Phrase = say("data_rights.applications.note")
    if len(applications) > len(shown):
        note = joined(
            (note, say("data_rights.applications.note_more", shown=len(shown), count=len(applications)))
        )
    return Card(
        alt_text=say("data_rights.applications.alt_text", count=len(applications)),
        title=say("data_rights.applications.title"),
        rows=tuple(_application_row(application) for application in shown),
        note=note,
    )


def disclosure_answer(holdings: Holdings, settings_card: SettingsCard) -> Answer:
    if holdings.empty:
        return Answer(
            replies=(TextReply(say("data_rights.none")),),
            when_stale=WhenStale.PUSH,
            tags=("data_rights.disclosed.none",),
        )
    replies: list[Reply[Phrase]] = [profile_card(holdings)]
    if holdings.resident is not None:
        replies.append(settings_card(holdings.resident))
    if holdings.applications:
        replies.append(applications_card(holdings.applications))
    replies.append(TextReply(say("data_rights.show.closing"), quick_replies=(ask_action(),)))
    return Answer(replies=tuple(replies), when_stale=WhenStale.PUSH, tags=("data_rights.disclosed",))
