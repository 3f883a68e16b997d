"""A broadcast's record in Broadcasts: created once, its request kept, every batch counted once.

`DynamoBroadcasts` is the planner's and the sender's ledger (the domain's PlannerLedger): the record
and its counters live here; the lease and checkpoints (broadcast_checkpoints) and the report
(broadcast_report) are their own modules, reached through it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from civicline.adapters.dynamodb.broadcast_checkpoints import DynamoPlanCheckpoints
from civicline.adapters.dynamodb.broadcast_report import COUNTERS, DynamoBroadcastReports
from civicline.adapters.dynamodb.broadcasts_table import CONDITION_FAILED, BroadcastsTable, wire
from civicline.domain.broadcast.errors import BroadcastIdConflict, BroadcastNotFound
from civicline.domain.broadcast.outcome import SendOutcome
from civicline.domain.broadcast.planner import PlanState
from civicline.domain.broadcast.sender import BatchResult
from civicline.domain.broadcast.streams import Stream
from civicline.models.broadcast.checkpoint import PlanCheckpoint
from civicline.models.broadcast.report import BatchFailure, BroadcastReport, BroadcastStatus
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.language import DEFAULT_LANGUAGE, Language

MAX_FAILURES_KEPT = 10  # the first few of LINE's refusals; every refused batch is counted regardless
_ACTIVE_STATUSES = (BroadcastStatus.PLANNED.value, BroadcastStatus.SENDING.value)
# The partition of the byCreated index: broadcast records only (sparse), for the staff console's list.
LISTING = "broadcast"


def request_json(request: BroadcastRequest) -> str:
    # dry_run is how the planner was called, not what is sent: the same request may be tried dry first.
    # A request without translations is written as before there were any, so its hash is unchanged.
    return request.model_copy(update={"dry_run": False}).model_dump_json(
        by_alias=True, exclude=None if request.translations else {"translations"}
    )


def request_hash(request: BroadcastRequest) -> str:
    return hashlib.sha256(request_json(request).encode()).hexdigest()


class DynamoBroadcasts:
    def __init__(self, table: BroadcastsTable) -> None:
        self._table = table
        self.checkpoints = DynamoPlanCheckpoints(table)
        self.reports = DynamoBroadcastReports(table, self.checkpoints)

    # ------------------------------------------------------------ planner

    def create(
        self,
        broadcast_id: str,
        request: BroadcastRequest,
        send_date: str,
        scan_segments: int,
        now: datetime,
        *,
        status: BroadcastStatus = BroadcastStatus.PLANNED,
    ) -> bool:
        """Record a new broadcast; False if it exists already with the same request."""
        digest = request_hash(request)
        record = {
            "broadcastId": broadcast_id,
            "listing": LISTING,
            "status": status.value,
            "title": request.title,
            "test": request.is_test,
            "requestHash": digest,
            "createdAt": now.isoformat(),
            "sendDate": send_date,
            **({"sendAt": request.send_at.isoformat()} if request.send_at is not None else {}),
            "scanSegments": scan_segments,
            "versions": [version.value for version in request.versions],
            "planningComplete": False,
            **dict.fromkeys(COUNTERS, 0),
        }
        stored_request = {"broadcastId": f"{broadcast_id}#request", "request": request_json(request)}
        new = "attribute_not_exists(broadcastId)"
        name = self._table.name
        failed = self._table.transact(
            [
                {"Put": {"TableName": name, "Item": wire(record), "ConditionExpression": new}},
                {"Put": {"TableName": name, "Item": wire(stored_request), "ConditionExpression": new}},
            ]
        )
        if failed is None:
            return True
        if self._table.broadcast(broadcast_id).get("requestHash") != digest:
            raise BroadcastIdConflict(f"broadcast {broadcast_id} exists with a different request")
        return False

    def begin(self, broadcast_id: str) -> None:
        self._set_status(broadcast_id, BroadcastStatus.PLANNED, [BroadcastStatus.SCHEDULED.value])

    def cancel(self, broadcast_id: str) -> bool:
        """A scheduled broadcast becomes cancelled; False when it is not (any more) scheduled."""
        return self._set_status(broadcast_id, BroadcastStatus.CANCELLED, [BroadcastStatus.SCHEDULED.value])

    def recent(self, limit: int) -> list[BroadcastReport]:
        """The newest broadcasts first (the staff console's list), each as its report."""
        return [self.reports.report(broadcast_id) for broadcast_id in self._table.newest(LISTING, limit)]

    def plan_state(self, broadcast_id: str) -> PlanState:
        return self.checkpoints.plan_state(broadcast_id)

    def acquire_stream(
        self, broadcast_id: str, stream: Stream, owner: str, now: datetime, until: datetime
    ) -> PlanCheckpoint:
        return self.checkpoints.acquire_stream(broadcast_id, stream, owner, now, until)

    def save_checkpoint(self, broadcast_id: str, stream: Stream, owner: str, cp: PlanCheckpoint) -> None:
        self.checkpoints.save_checkpoint(broadcast_id, stream, owner, cp)

    def release_stream(self, broadcast_id: str, stream: Stream, owner: str) -> None:
        self.checkpoints.release_stream(broadcast_id, stream, owner)

    def forget_recipients(self, broadcast_id: str, streams: Sequence[Stream]) -> None:
        self.checkpoints.forget_recipients(broadcast_id, streams)

    def finish_planning(
        self, broadcast_id: str, batches_planned: int, audience: int, by_version: dict[str, int]
    ) -> None:
        self.checkpoints.finish_planning(broadcast_id, batches_planned, audience, by_version)

    def report(self, broadcast_id: str) -> BroadcastReport:
        return self.reports.report(broadcast_id)

    # ------------------------------------------------------------ sender

    def request(self, broadcast_id: str) -> BroadcastRequest:
        """The request as it was recorded (what a schedule, carrying only the id, starts)."""
        item = self._table.item(f"{broadcast_id}#request")
        if item is None:
            raise BroadcastNotFound(broadcast_id)
        return BroadcastRequest.model_validate_json(item["request"])

    def record_result(
        self,
        broadcast_id: str,
        batch_number: int,
        recipients: int,
        result: BatchResult,
        at: datetime,
        *,
        language: Language = DEFAULT_LANGUAGE,
    ) -> bool:
        """Count a batch's final result once (marker + counters in one transaction); False if counted.

        `at`: when LINE's answer came. An accepted batch sets firstBatchAcceptedAt once and
        lastBatchAcceptedAt each time (senders count within milliseconds of their answers, so the last
        write is the last). `language`: the batch's version, kept with a refusal (a malformed version
        is refused in every batch of it, and staff must know which one to fix).
        """
        failed = result.outcome is SendOutcome.REJECTED
        accepted = (
            ""
            if failed
            else ", firstBatchAcceptedAt = if_not_exists(firstBatchAcceptedAt, :at)"
            ", lastBatchAcceptedAt = :at"
        )
        adds = {
            "batchesCompleted": 1,
            "retries": result.retries,
            "alreadyAccepted": int(result.outcome is SendOutcome.ALREADY_ACCEPTED),
            **(
                {"batchesFailed": 1, "recipientsFailed": recipients}
                if failed
                else {"batchesSent": 1, "recipientsSent": recipients}
            ),
        }
        marker = {"outcome": result.outcome.value, "lineStatus": result.status, "recipients": recipients}
        codes = self._table.transact(
            [
                {
                    # An Update, not a Put: the sender's role needs no PutItem on Broadcasts.
                    "Update": {
                        "TableName": self._table.name,
                        "Key": wire({"broadcastId": f"{broadcast_id}#batch#{batch_number}"}),
                        "UpdateExpression": "SET " + ", ".join(f"{name} = :{name}" for name in marker),
                        "ConditionExpression": "attribute_not_exists(broadcastId)",
                        "ExpressionAttributeValues": wire(
                            {f":{name}": value for name, value in marker.items()}
                        ),
                    }
                },
                {
                    # A batch can only be counted before the broadcast is over (until then every batch
                    # is uncounted), so the status is planned or sending here: now it is sending.
                    "Update": {
                        "TableName": self._table.name,
                        "Key": wire({"broadcastId": broadcast_id}),
                        "UpdateExpression": f"SET #status = :sending{accepted} ADD "
                        + ", ".join(f"{name} :{name}" for name in adds),
                        "ConditionExpression": "attribute_exists(broadcastId)",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": wire(
                            {
                                ":sending": BroadcastStatus.SENDING.value,
                                **({} if failed else {":at": at.isoformat()}),
                                **{f":{name}": value for name, value in adds.items()},
                            }
                        ),
                    }
                },
            ]
        )
        if codes is not None:
            if codes[0] == CONDITION_FAILED:
                return False  # SQS delivered this batch again after it had been counted
            raise BroadcastNotFound(broadcast_id)
        if failed:
            self._keep_failure(
                broadcast_id,
                BatchFailure(
                    batch_number=batch_number,
                    recipients=recipients,
                    status=result.status,
                    message=result.error,
                    language=language,
                ),
            )
        self.try_finalize(broadcast_id)
        return True

    def add_retries(self, broadcast_id: str, retries: int) -> None:
        self._table.update(
            Key={"broadcastId": broadcast_id},
            UpdateExpression="ADD retries :retries",
            ConditionExpression="attribute_exists(broadcastId)",
            ExpressionAttributeValues={":retries": retries},
        )

    def _keep_failure(self, broadcast_id: str, failure: BatchFailure) -> None:
        self._table.update(
            Key={"broadcastId": broadcast_id},
            UpdateExpression="SET failures = list_append(if_not_exists(failures, :empty), :failure)",
            ConditionExpression="attribute_not_exists(failures) OR size(failures) < :max",
            ExpressionAttributeValues={
                ":empty": [],
                ":failure": [failure.model_dump(by_alias=True)],
                ":max": MAX_FAILURES_KEPT,
            },
        )

    def _set_status(
        self, broadcast_id: str, status: BroadcastStatus, when: list[str], extra: str = ""
    ) -> bool:
        values: dict[str, Any] = {f":when{i}": value for i, value in enumerate(when)}
        condition = f"#status IN ({', '.join(values)})"
        values[":status"] = status.value
        if extra:
            condition += f" AND {extra}"
            values |= {":true": True, ":zero": 0}
        return (
            self._table.update(
                Key={"broadcastId": broadcast_id},
                UpdateExpression="SET #status = :status",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
            )
            is not None
        )

    def try_finalize(self, broadcast_id: str) -> None:
        """done / partially_failed once planning is complete and every planned batch is counted.

        Both the planner (when it finishes) and each sender call this; the condition makes it happen
        once. One consistent read first: most batches are not the last, and a read costs less than
        the conditional writes that would fail.
        """
        item = self._table.broadcast(broadcast_id)
        if not item.get("planningComplete") or item["batchesCompleted"] < item["batchesPlanned"]:
            return
        complete = "planningComplete = :true AND batchesCompleted >= batchesPlanned"
        active = list(_ACTIVE_STATUSES)
        if item["batchesFailed"] == 0:
            self._set_status(
                broadcast_id, BroadcastStatus.DONE, active, f"{complete} AND batchesFailed = :zero"
            )
        else:
            self._set_status(
                broadcast_id,
                BroadcastStatus.PARTIALLY_FAILED,
                active,
                f"{complete} AND batchesFailed > :zero",
            )
