"""The export watermark: every application exported once, none missed, none twice.

The promise: a watermark export hands staff every application of the form that no earlier export
handed them, exactly once, even while intake keeps storing new ones and even when two exports start
at the same moment.

Why a plain "since the last export" is not enough. Intake stamps `receivedAt` just before its write,
and the export reads the `byFormReceived` index, which DynamoDB fills asynchronously. So an item with
an *earlier* `receivedAt` can become visible *after* an export has read past that time: a scheme that
advanced to "now" would skip it for ever.

The scheme:

1. Safety lag. An export that starts at T covers `receivedAt` in `(W, U]` with `U = T - lag`, where W
   is the committed watermark (the previous export's U). The lag (default 120 s,
   `EXPORT_SAFETY_LAG_SECONDS`) exceeds the longest time between intake's stamp and the item showing
   in the index: intake's Lambda timeout (30 s) bounds its write, GSI propagation takes well under a
   second. Items stamped after U wait for the next export, whose window starts exactly at U: the
   windows tile the time line with no gap and no overlap (the bounds are the same strings, compared
   as DynamoDB compares them).
2. Claim. Before reading, the export claims the window with a conditional write on the watermark
   item (optimistic lock on its `version`), recording its export id, U and a lease (its Lambda's
   remaining time). A second export of the same form fails the condition, or finds a live claim, and
   stops with ExportInProgress before reading anything: nothing is written twice.
3. Mark, then write. Each application is marked `exported` with the export id by a conditional update
   (`status = received`) before its row is written, so a row is only ever in the file of the export
   that marked it. The status is the second guard: a watermark reset or a replayed window cannot
   export an item twice.
4. Commit. When the file is in S3, one transaction advances the watermark to U (condition: the claim
   is still ours) and stores the audit record of the link. Only then is the link returned.
5. Failure. A failed export releases its claim and lists its id as abandoned; a crashed one's claim
   lapses with its lease and the next export takes it over the same way. Items marked by an abandoned
   export were never delivered (no link was issued), so the next export counts them as not exported
   and exports them again under its own id. The list is cleared on the next commit.

A range re-export (`from`/`to`) reads `[from, to)`, exported items included, marks nothing and leaves
the watermark alone: it is a copy for staff, not a step of the daily hand-over.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from civicline.domain.export.errors import ExportInProgress, WatermarkMoved
from civicline.ward_time import stored_time

MAX_ABANDONED = 20  # a longer list means exports keep failing: staff are told by the DLQ long before


def bound(moment: datetime) -> str:
    """A window bound as `receivedAt` is stored, so strings compare as times."""
    return stored_time(moment)


@dataclass(frozen=True, slots=True)
class Claim:
    export_id: str
    up_to: str
    lease_until: datetime


@dataclass(frozen=True, slots=True)
class Watermark:
    """The watermark item of one form. `version` 0: no export yet (the item does not exist)."""

    form_id: str
    current: str | None = None
    version: int = 0
    claim: Claim | None = None
    abandoned: tuple[str, ...] = ()
    last_export_id: str | None = None

    def claimed_by(
        self, export_id: str, *, now: datetime, lag: timedelta, lease_until: datetime
    ) -> Watermark:
        """The watermark with this export's claim on `(current, now - lag]`; raises ExportInProgress."""
        abandoned = self.abandoned
        if self.claim is not None:
            if self.claim.lease_until > now:
                raise ExportInProgress(
                    f"export {self.claim.export_id} of {self.form_id} runs until {self.claim.lease_until}"
                )
            abandoned = (*abandoned, self.claim.export_id)  # it crashed: its marks do not count
        up_to = bound(now - lag)
        if self.current is not None and up_to < self.current:  # clock or lag moved back: empty window
            up_to = self.current
        return replace(
            self,
            version=self.version + 1,
            claim=Claim(export_id=export_id, up_to=up_to, lease_until=lease_until),
            abandoned=abandoned[-MAX_ABANDONED:],
        )

    def committed(self, export_id: str) -> Watermark:
        """The watermark advanced to this export's claimed bound."""
        self._require_claim(export_id)
        assert self.claim is not None
        return Watermark(
            form_id=self.form_id,
            current=self.claim.up_to,
            version=self.version + 1,
            last_export_id=export_id,
        )

    def released(self, export_id: str) -> Watermark:
        """The watermark as it was, with this failed export's marks counting as not exported."""
        self._require_claim(export_id)
        return replace(
            self,
            version=self.version + 1,
            claim=None,
            abandoned=(*self.abandoned, export_id)[-MAX_ABANDONED:],
        )

    def is_exported(self, status: str, export_id: str | None) -> bool:
        """Whether an item was handed to staff already: marked by an export that was not abandoned."""
        return status != "received" and export_id not in self.abandoned

    def _require_claim(self, export_id: str) -> None:
        if self.claim is None or self.claim.export_id != export_id:
            raise WatermarkMoved(f"the watermark of {self.form_id} is no longer claimed by {export_id}")
