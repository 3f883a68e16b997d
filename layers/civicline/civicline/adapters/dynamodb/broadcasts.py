"""The Broadcasts table (key `broadcastId`): a few small items per broadcast.

    <id>              status, title, test, requestHash, createdAt, sendDate, sendAt, scanSegments,
                      plannerLease, leaseUntil, planningComplete, batchesPlanned, audienceSize,
                      batchesSent, recipientsSent, batchesFailed, recipientsFailed, batchesCompleted,
                      retries, alreadyAccepted, failures (first few, LINE's answers only)
    <id>#request      the request as JSON (messages up to 5 × 30 KB of Flex: kept apart so that
                      every counter update writes a small item)
    <id>#plan#<s>     PlanCheckpoint of scan segment s (with the pending batch's recipients and, once
                      done, the segment's remainder)
    <id>#plan#tail    PlanCheckpoint of the tail (the segments' remainders cut together)
    <id>#batch#<n>    batch n is settled (outcome, LINE status): each batch is counted once
    ratelimit#multicast#<window>   shared multicast slots (DynamoSendSlots), expiresAt

Why the split: DynamoDB bills an update by the size of the whole item and allows about 1,000 write
units per second on one item. The counters item takes one transaction per batch (≤ 200/s), so it must
stay a few hundred bytes, not carry the request, the checkpoints or the list of batches counted.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import is_condition_failure, table, unavailable
from civicline.adapters.dynamodb.audience import dynamodb_client
from civicline.domain.broadcast.errors import (
    BroadcastIdConflict,
    BroadcastNotFound,
    LeaseLost,
    PlanningInProgress,
    RateLimitWaitExceeded,
)
from civicline.domain.broadcast.outcome import SendOutcome
from civicline.domain.broadcast.planner import PlanState
from civicline.domain.broadcast.sender import BatchResult
from civicline.models.broadcast.checkpoint import PlanCheckpoint
from civicline.models.broadcast.message import BroadcastMessage
from civicline.models.broadcast.report import BatchFailure, BroadcastReport, BroadcastStatus
from civicline.models.broadcast.request import BroadcastRequest

MAX_FAILURES_KEPT = 10  # the first few of LINE's refusals; every refused batch is counted regardless
_ACTIVE_STATUSES = (BroadcastStatus.PLANNED.value, BroadcastStatus.SENDING.value)
_COUNTERS = (
    "batchesPlanned",
    "audienceSize",
    "batchesSent",
    "recipientsSent",
    "batchesFailed",
    "recipientsFailed",
    "batchesCompleted",
    "retries",
    "alreadyAccepted",
)
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _wire(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def request_json(request: BroadcastRequest) -> str:
    # dry_run is how the planner was called, not what is sent: the same request may be tried dry first.
    return request.model_copy(update={"dry_run": False}).model_dump_json(by_alias=True)


def request_hash(request: BroadcastRequest) -> str:
    return hashlib.sha256(request_json(request).encode()).hexdigest()


TAIL = "tail"


def _plan_key(broadcast_id: str, stream: int | str) -> str:
    """A scan segment's checkpoint (`stream` its number) or the tail's (`stream` TAIL)."""
    return f"{broadcast_id}#plan#{stream}"


def _cancellation_codes(error: ClientError) -> list[str]:
    return [reason.get("Code", "") for reason in error.response.get("CancellationReasons", [])]


class DynamoBroadcasts:
    def __init__(self, table_name: str) -> None:
        self._table = table(table_name)
        self._client = dynamodb_client()
        self._name = table_name

    def _item(self, key: str) -> dict[str, Any] | None:
        try:
            item = self._table.get_item(Key={"broadcastId": key}, ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Broadcasts.get_item") from error
        return _plain(item) if item is not None else None

    def _broadcast(self, broadcast_id: str) -> dict[str, Any]:
        item = self._item(broadcast_id)
        if item is None:
            raise BroadcastNotFound(broadcast_id)
        return item

    def _transact(self, items: list[dict[str, Any]]) -> list[str] | None:
        """None when written, else the cancellation codes (per item) of a failed condition."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                codes = _cancellation_codes(error)
                if "ConditionalCheckFailed" in codes:
                    return codes
            raise unavailable(error, "Broadcasts.transact_write_items") from error
        except BotoCoreError as error:
            raise unavailable(error, "Broadcasts.transact_write_items") from error
        return None

    def _update(self, operation: str, **kwargs: Any) -> dict[str, Any] | None:
        """UpdateItem; None when its condition fails."""
        try:
            result: dict[str, Any] = self._table.update_item(**kwargs)
        except ClientError as error:
            if is_condition_failure(error):
                return None
            raise unavailable(error, operation) from error
        except BotoCoreError as error:
            raise unavailable(error, operation) from error
        return result

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
            "status": status.value,
            "title": request.title,
            "test": request.is_test,
            "requestHash": digest,
            "createdAt": now.isoformat(),
            "sendDate": send_date,
            **({"sendAt": request.send_at.isoformat()} if request.send_at is not None else {}),
            "scanSegments": scan_segments,
            "planningComplete": False,
            **dict.fromkeys(_COUNTERS, 0),
        }
        stored_request = {"broadcastId": f"{broadcast_id}#request", "request": request_json(request)}
        new = "attribute_not_exists(broadcastId)"
        failed = self._transact(
            [
                {"Put": {"TableName": self._name, "Item": _wire(record), "ConditionExpression": new}},
                {"Put": {"TableName": self._name, "Item": _wire(stored_request), "ConditionExpression": new}},
            ]
        )
        if failed is None:
            return True
        if self._broadcast(broadcast_id).get("requestHash") != digest:
            raise BroadcastIdConflict(f"broadcast {broadcast_id} exists with a different request")
        return False

    def begin(self, broadcast_id: str) -> None:
        self._set_status(broadcast_id, BroadcastStatus.PLANNED, [BroadcastStatus.SCHEDULED.value])

    def acquire_lease(self, broadcast_id: str, owner: str, now: datetime, until: datetime) -> PlanState:
        result = self._update(
            "Broadcasts.update_item",
            Key={"broadcastId": broadcast_id},
            UpdateExpression="SET plannerLease = :owner, leaseUntil = :until",
            ConditionExpression=(
                "attribute_exists(broadcastId) AND (attribute_not_exists(plannerLease) "
                "OR plannerLease = :owner OR leaseUntil < :now)"
            ),
            ExpressionAttributeValues={
                ":owner": owner,
                ":until": int(until.timestamp()),
                ":now": int(now.timestamp()),
            },
            ReturnValues="ALL_NEW",
        )
        if result is None:
            raise PlanningInProgress(f"broadcast {broadcast_id} is being planned")
        item = _plain(result["Attributes"])
        scan_segments = int(item["scanSegments"])
        return PlanState(
            scan_segments=scan_segments,
            checkpoints={s: self._checkpoint(broadcast_id, s) for s in range(scan_segments)},
            planning_complete=bool(item.get("planningComplete", False)),
            tail=self._checkpoint(broadcast_id, TAIL),
        )

    def _checkpoint(self, broadcast_id: str, stream: int | str) -> PlanCheckpoint:
        item = self._item(_plan_key(broadcast_id, stream))
        if item is None:
            return PlanCheckpoint()
        item.pop("broadcastId")
        return PlanCheckpoint.model_validate(item)

    def save_checkpoint(self, broadcast_id: str, owner: str, scan_segment: int, cp: PlanCheckpoint) -> None:
        self._save_checkpoint(broadcast_id, owner, scan_segment, cp)

    def save_tail(self, broadcast_id: str, owner: str, cp: PlanCheckpoint) -> None:
        self._save_checkpoint(broadcast_id, owner, TAIL, cp)

    def _save_checkpoint(self, broadcast_id: str, owner: str, stream: int | str, cp: PlanCheckpoint) -> None:
        """Written only while this planner holds the lease (one transaction: lease check + checkpoint)."""
        item = {"broadcastId": _plan_key(broadcast_id, stream), **cp.model_dump(by_alias=True)}
        failed = self._transact(
            [
                {
                    "ConditionCheck": {
                        "TableName": self._name,
                        "Key": _wire({"broadcastId": broadcast_id}),
                        "ConditionExpression": "plannerLease = :owner",
                        "ExpressionAttributeValues": _wire({":owner": owner}),
                    }
                },
                {"Put": {"TableName": self._name, "Item": _wire(item)}},
            ]
        )
        if failed is not None:
            raise LeaseLost(f"broadcast {broadcast_id}: planner lease lost")

    def _leased_update(self, broadcast_id: str, owner: str, expression: str, values: dict[str, Any]) -> None:
        result = self._update(
            "Broadcasts.update_item",
            Key={"broadcastId": broadcast_id},
            UpdateExpression=expression,
            ConditionExpression="plannerLease = :owner",
            ExpressionAttributeValues={**values, ":owner": owner},
        )
        if result is None:
            raise LeaseLost(f"broadcast {broadcast_id}: planner lease lost")

    def finish_planning(self, broadcast_id: str, owner: str, batches_planned: int, audience: int) -> None:
        self._leased_update(
            broadcast_id,
            owner,
            "SET planningComplete = :true, batchesPlanned = :planned, audienceSize = :audience "
            "REMOVE plannerLease, leaseUntil",
            {":true": True, ":planned": batches_planned, ":audience": audience},
        )

    def release_lease(self, broadcast_id: str, owner: str) -> None:
        """Best effort, after a failure: lets a re-invoked planner resume at once."""
        with contextlib.suppress(LeaseLost):
            self._leased_update(broadcast_id, owner, "REMOVE plannerLease, leaseUntil", {})

    # ------------------------------------------------------------ sender

    def messages(self, broadcast_id: str) -> list[BroadcastMessage]:
        return list(_messages(self, broadcast_id))

    def request(self, broadcast_id: str) -> BroadcastRequest:
        """The request as it was recorded (what a schedule, carrying only the id, starts)."""
        item = self._item(f"{broadcast_id}#request")
        if item is None:
            raise BroadcastNotFound(broadcast_id)
        return BroadcastRequest.model_validate_json(item["request"])

    def record_result(
        self, broadcast_id: str, batch_number: int, recipients: int, result: BatchResult
    ) -> bool:
        """Count a batch's final result once (marker + counters in one transaction); False if counted."""
        failed = result.outcome is SendOutcome.REJECTED
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
        codes = self._transact(
            [
                {
                    # An Update, not a Put: the sender's role needs no PutItem on Broadcasts.
                    "Update": {
                        "TableName": self._name,
                        "Key": _wire({"broadcastId": f"{broadcast_id}#batch#{batch_number}"}),
                        "UpdateExpression": "SET " + ", ".join(f"{name} = :{name}" for name in marker),
                        "ConditionExpression": "attribute_not_exists(broadcastId)",
                        "ExpressionAttributeValues": _wire(
                            {f":{name}": value for name, value in marker.items()}
                        ),
                    }
                },
                {
                    # A batch can only be counted before the broadcast is over (until then every batch
                    # is uncounted), so the status is planned or sending here: now it is sending.
                    "Update": {
                        "TableName": self._name,
                        "Key": _wire({"broadcastId": broadcast_id}),
                        "UpdateExpression": "SET #status = :sending ADD "
                        + ", ".join(f"{name} :{name}" for name in adds),
                        "ConditionExpression": "attribute_exists(broadcastId)",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": _wire(
                            {
                                ":sending": BroadcastStatus.SENDING.value,
                                **{f":{name}": value for name, value in adds.items()},
                            }
                        ),
                    }
                },
            ]
        )
        if codes is not None:
            if codes[0] == "ConditionalCheckFailed":
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
                ),
            )
        self.try_finalize(broadcast_id)
        return True

    def add_retries(self, broadcast_id: str, retries: int) -> None:
        self._update(
            "Broadcasts.update_item",
            Key={"broadcastId": broadcast_id},
            UpdateExpression="ADD retries :retries",
            ConditionExpression="attribute_exists(broadcastId)",
            ExpressionAttributeValues={":retries": retries},
        )

    def _keep_failure(self, broadcast_id: str, failure: BatchFailure) -> None:
        self._update(
            "Broadcasts.update_item",
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
            self._update(
                "Broadcasts.update_item",
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
        item = self._broadcast(broadcast_id)
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

    # ------------------------------------------------------------ staff

    def report(self, broadcast_id: str) -> BroadcastReport:
        item = self._broadcast(broadcast_id)
        planning_complete = bool(item.get("planningComplete", False))
        if planning_complete:
            audience, planned = item["audienceSize"], item["batchesPlanned"]
        else:
            streams: list[int | str] = [*range(int(item["scanSegments"])), TAIL]
            checkpoints = [self._checkpoint(broadcast_id, stream) for stream in streams]
            audience = sum(cp.recipients + len(cp.pending) for cp in checkpoints)
            planned = sum(cp.next_index + bool(cp.pending) for cp in checkpoints)
        return BroadcastReport.model_validate(
            {
                **{name: item.get(name, 0) for name in _COUNTERS},
                "broadcastId": broadcast_id,
                "title": item.get("title", ""),
                "status": item["status"],
                "test": bool(item.get("test", False)),
                "createdAt": item["createdAt"],
                "sendDate": item["sendDate"],
                "sendAt": item.get("sendAt"),
                "planningComplete": planning_complete,
                "audienceSize": audience,
                "batchesPlanned": planned,
                "failures": item.get("failures", []),
            }
        )


def _messages(ledger: DynamoBroadcasts, broadcast_id: str) -> tuple[BroadcastMessage, ...]:
    # A broadcast's messages never change: read once per container and broadcast, whatever the ledger.
    cached = _MESSAGES.get((ledger._name, broadcast_id))
    if cached is None:
        cached = tuple(ledger.request(broadcast_id).messages)
        if len(_MESSAGES) >= 32:
            _MESSAGES.clear()
        _MESSAGES[(ledger._name, broadcast_id)] = cached
    return cached


_MESSAGES: dict[tuple[str, str], tuple[BroadcastMessage, ...]] = {}


def forget_cached_messages() -> None:
    """For tests: each one builds its own tables."""
    _MESSAGES.clear()


MIN_SLOTS_PER_WINDOW = 4
MAX_WINDOW_SECONDS = 0.5


class DynamoSendSlots:
    """The channel's multicast rate, shared by every concurrent sender, as counters in Broadcasts.

    Time is cut into windows, each allowing rate × window multicasts; a sender takes a slot with one
    conditional ADD on the window's item (`ratelimit#multicast#<window>`, expiring after a minute
    through `expiresAt`) and, if the window is full, sleeps until the next one. Windows of at most half
    a second never exceed a token bucket holding one second of requests (LINE's and the fake LINE's
    model: in any span T at most rate × (T + 2 × window) calls), so the limit is kept however many
    senders run, with no 429 of our own making. A window holds at least a few slots (0.1 s at
    200/s, longer at low rates): with one slot per window every sender but one would fail and retry
    at each window's start, costing a write per sender per window.
    """

    KEY_PREFIX = "ratelimit#multicast#"

    def __init__(
        self,
        table_name: str,
        rate_per_second: float,
        *,
        window_seconds: float = 0.1,
        max_wait_seconds: float = 20.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self._table = table(table_name)
        wanted = max(MIN_SLOTS_PER_WINDOW, int(rate_per_second * window_seconds))
        self.slots_per_window = max(1, min(wanted, int(rate_per_second * MAX_WINDOW_SECONDS)))
        self.window_seconds = self.slots_per_window / rate_per_second
        self._max_wait = max_wait_seconds
        self._clock = clock
        self._sleep = sleep

    def _take(self, window: int) -> bool:
        try:
            self._table.update_item(
                Key={"broadcastId": f"{self.KEY_PREFIX}{window}"},
                UpdateExpression="ADD grants :one SET expiresAt = :expires",
                ConditionExpression="attribute_not_exists(grants) OR grants < :slots",
                ExpressionAttributeValues={
                    ":one": 1,
                    ":slots": self.slots_per_window,
                    ":expires": int((window + 1) * self.window_seconds) + 60,
                },
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise unavailable(error, "Broadcasts.update_item") from error
        except BotoCoreError as error:
            raise unavailable(error, "Broadcasts.update_item") from error
        return True

    def acquire(self) -> None:
        deadline = self._clock() + self._max_wait
        # Bounded: each failed try sleeps to the next window, so the loop ends by the deadline.
        for _ in range(int(self._max_wait / self.window_seconds) + 2):
            now = self._clock()
            window = int(now // self.window_seconds)
            if self._take(window):
                return
            if now >= deadline:
                break
            self._sleep(max(0.0, (window + 1) * self.window_seconds - self._clock()) + 0.001)
        raise RateLimitWaitExceeded(f"no multicast slot within {self._max_wait:.0f} s")
