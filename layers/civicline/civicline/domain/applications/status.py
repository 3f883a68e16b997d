"""申請状況: the resident's own applications and where each stands.

Wired by `install_forms` (applications/chat/features.py); the conversation worker's role may Query
the `byUser` index.

    status = StatusQuery(DynamoApplications(dynamodb.Table(env.applications_table)))
    dispatcher.text_command(text("intake.status.command"), status.on_command)

`reply(user_id)` gives the same Answer for callers that are not the dispatcher.
"""

from __future__ import annotations

from civicline.domain.applications.labels import form_title_phrase, kind_phrase
from civicline.domain.applications.ports import StatusSource
from civicline.domain.applications.records import ApplicationStatus, StatusEntry
from civicline.domain.chat.inbound import Inbound
from civicline.domain.chat.replies import NOTHING, Answer, Card, CardRow, TextReply, WhenStale
from civicline.domain.chat.wording import Phrase, say
from civicline.ward_time import ward_time

PENDING_LOOKUP = 20  # a resident's latest applications, enough to hold the pending one of each kind
SHOWN_APPLICATIONS = 5  # a bubble stays readable (and far below LINE's 30 KB) with five rows


def _row(entry: StatusEntry) -> CardRow[Phrase]:
    submitted = ward_time(entry.submitted_at)
    return CardRow(
        label=say("intake.status.row_label", reception_number=entry.reception_number),
        value=say(
            "intake.status.row_value",
            title=form_title_phrase(entry.form_id),
            kind=kind_phrase(entry.form_id, entry.kind),
            status=say(f"intake.status.{entry.status.value}"),
            year=submitted.year,
            month=submitted.month,
            day=submitted.day,
        ),
    )


class StatusQuery:
    def __init__(self, source: StatusSource, limit: int = SHOWN_APPLICATIONS) -> None:
        self._source = source
        self._limit = limit

    def reply(self, user_id: str) -> Answer:
        entries = self._source.statuses_of(user_id, self._limit)
        if not entries:
            return Answer(
                replies=(TextReply(say("intake.status.none")),),
                when_stale=WhenStale.PUSH,
                tags=("applications.status.none",),
            )
        card = Card(
            alt_text=say("intake.status.alt_text", count=len(entries)),
            title=say("intake.status.title"),
            rows=tuple(_row(entry) for entry in entries),
            note=say("intake.status.note", limit=self._limit),
        )
        return Answer(replies=(card,), when_stale=WhenStale.PUSH, tags=("applications.status.listed",))

    def pending(self, user_id: str, form_id: str, kind: str) -> StatusEntry | None:
        """The resident's application of this form and kind that the ward has not yet handled, if any.

        The same as intake's guard (one `received` application per resident, form and kind), read before
        the form is filled in so that the resident is not refused only after answering every question.
        """
        entries = self._source.statuses_of(user_id, PENDING_LOOKUP)
        return next(
            (
                e
                for e in entries
                if e.form_id == form_id and e.kind == kind and e.status is ApplicationStatus.RECEIVED
            ),
            None,
        )

    def on_command(self, inbound: Inbound) -> Answer:
        """The dispatcher's text command handler for 「申請状況」."""
        return self.reply(inbound.user_id) if inbound.user_id else NOTHING
