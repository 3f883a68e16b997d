"""The planning streams' leases and checkpoints in Broadcasts: who plans which stream, how far it got.

Each stream (scan segment s, or the tail, of one version) has one item, `<id>#plan#<s>` for Japanese
and `<id>#plan#<s>#<language>` for the other versions (broadcasts_table.plan_key), holding its
PlanCheckpoint and, while an invocation plans it, that invocation's lease (`lease`, `leaseUntil`). A
checkpoint is written only under the writer's own lease (a condition on the same item: one write, no
transaction), and the final one (done) removes the lease.

The checkpoints hold residents' LINE user ids (`after`, `pending`, `remainder`) while planning needs
them: `forget_recipients` removes them once every stream is done, and each item expires
(`expiresAt`, the table's TTL) PLAN_RECORD_LIFETIME after its first lease, in case planning is never
finished (see domain/broadcast/planner.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import unavailable
from civicline.adapters.dynamodb.broadcasts_table import BroadcastsTable, plain, plan_key
from civicline.domain.broadcast.errors import LeaseLost, PlanningInProgress
from civicline.domain.broadcast.planner import PLAN_RECORD_LIFETIME, PlanState
from civicline.domain.broadcast.streams import TAIL, Stream
from civicline.domain.errors import StoreUnavailable
from civicline.models.broadcast.checkpoint import PlanCheckpoint
from civicline.models.language import DEFAULT_LANGUAGE, Language

BATCH_GET_MAX_KEYS = 100  # DynamoDB's BatchGetItem limit
_NOT_CHECKPOINT = ("broadcastId", "lease", "leaseUntil", "expiresAt")
# What names a resident in a checkpoint; removed once planning is done (the counts stay).
RECIPIENT_FIELDS = ("after", "pending", "remainder")
_RECIPIENT_NAMES = {f"#r{i}": name for i, name in enumerate(RECIPIENT_FIELDS)}  # AFTER is reserved
_deserializer = TypeDeserializer()


def _checkpoint(item: dict[str, Any] | None) -> PlanCheckpoint:
    if item is None:
        return PlanCheckpoint()
    return PlanCheckpoint.model_validate({k: v for k, v in item.items() if k not in _NOT_CHECKPOINT})


def _key(broadcast_id: str, stream: Stream) -> str:
    return plan_key(broadcast_id, stream.part, stream.language.value)


def recorded_versions(item: dict[str, Any]) -> tuple[Language, ...]:
    """The versions a broadcast's record names (recorded before there were versions: Japanese)."""
    return tuple(Language(v) for v in item.get("versions") or [DEFAULT_LANGUAGE.value])


def all_streams(scan_segments: int, versions: tuple[Language, ...]) -> list[Stream]:
    """Every stream of a broadcast: each version's scan segments, then each version's tail."""
    parts: list[int | str] = [*range(scan_segments), TAIL]
    return [Stream(part, version) for part in parts for version in versions]


class DynamoPlanCheckpoints:
    def __init__(self, table: BroadcastsTable) -> None:
        self._table = table

    def checkpoints(self, broadcast_id: str, streams: list[Stream]) -> dict[Stream, PlanCheckpoint]:
        """Several streams' checkpoints in consistent BatchGetItems (≤ 100 keys each: 32 segments of 8
        versions and their tails are 264 streams)."""
        keys = {_key(broadcast_id, stream): stream for stream in streams}
        found: dict[str, dict[str, Any]] = {}
        names = list(keys)
        for start in range(0, len(names), BATCH_GET_MAX_KEYS):
            found |= self._batch_get(names[start : start + BATCH_GET_MAX_KEYS])
        return {stream: _checkpoint(found.get(key)) for key, stream in keys.items()}

    def _batch_get(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        request: dict[str, Any] = {
            self._table.name: {
                "Keys": [{"broadcastId": {"S": key}} for key in keys],
                "ConsistentRead": True,
            }
        }
        for _ in range(10):  # bounded: unprocessed keys are retried a few times
            try:
                answer = self._table.client.batch_get_item(RequestItems=request)
            except (ClientError, BotoCoreError) as error:
                raise unavailable(error, "Broadcasts.batch_get_item") from error
            for item in answer.get("Responses", {}).get(self._table.name, []):
                parsed = {name: _deserializer.deserialize(value) for name, value in item.items()}
                found[parsed["broadcastId"]] = plain(parsed)
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise StoreUnavailable("Broadcasts.batch_get_item failed: UnprocessedKeys")
        return found

    def checkpoint(self, broadcast_id: str, stream: Stream) -> PlanCheckpoint:
        return _checkpoint(self._table.item(_key(broadcast_id, stream)))

    def plan_state(self, broadcast_id: str) -> PlanState:
        item = self._table.broadcast(broadcast_id)
        scan_segments = int(item["scanSegments"])
        versions = recorded_versions(item)
        checkpoints = self.checkpoints(broadcast_id, all_streams(scan_segments, versions))
        tails = {s.language: checkpoints.pop(s) for s in list(checkpoints) if s.part == TAIL}
        return PlanState(
            scan_segments=scan_segments,
            checkpoints=checkpoints,
            planning_complete=bool(item.get("planningComplete", False)),
            tails=tails,
            send_date=str(item["sendDate"]),
            versions=versions,
        )

    def acquire_stream(
        self, broadcast_id: str, stream: Stream, owner: str, now: datetime, until: datetime
    ) -> PlanCheckpoint:
        """The stream's checkpoint, leased to `owner`; a done one is returned without a lease."""
        result = self._table.update(
            Key={"broadcastId": _key(broadcast_id, stream)},
            UpdateExpression=(
                "SET lease = :owner, leaseUntil = :until, expiresAt = if_not_exists(expiresAt, :expires)"
            ),
            ConditionExpression=(
                "(attribute_not_exists(lease) OR lease = :owner OR leaseUntil < :now) "
                "AND (attribute_not_exists(done) OR done = :false)"
            ),
            ExpressionAttributeValues={
                ":owner": owner,
                ":until": int(until.timestamp()),
                ":now": int(now.timestamp()),
                ":expires": int((now + PLAN_RECORD_LIFETIME).timestamp()),
                ":false": False,
            },
            ReturnValues="ALL_NEW",
        )
        if result is not None:
            return _checkpoint(plain(result["Attributes"]))
        checkpoint = self.checkpoint(broadcast_id, stream)
        if checkpoint.done:
            return checkpoint
        raise PlanningInProgress(f"broadcast {broadcast_id} stream {stream} is being planned")

    def save_checkpoint(self, broadcast_id: str, stream: Stream, owner: str, cp: PlanCheckpoint) -> None:
        fields = cp.model_dump(by_alias=True)
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values: dict[str, Any] = {f":f{i}": value for i, value in enumerate(fields.values())}
        expression = "SET " + ", ".join(f"{name} = :{name[1:]}" for name in names)
        if cp.done:
            expression += " REMOVE lease, leaseUntil"  # the stream is finished: nobody needs to wait
        result = self._table.update(
            Key={"broadcastId": _key(broadcast_id, stream)},
            UpdateExpression=expression,
            ConditionExpression="lease = :owner",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={**values, ":owner": owner},
        )
        if result is None:
            raise LeaseLost(f"broadcast {broadcast_id} stream {stream}: lease lost")

    def release_stream(self, broadcast_id: str, stream: Stream, owner: str) -> None:
        with contextlib.suppress(LeaseLost):
            result = self._table.update(
                Key={"broadcastId": _key(broadcast_id, stream)},
                UpdateExpression="REMOVE lease, leaseUntil",
                ConditionExpression="lease = :owner",
                ExpressionAttributeValues={":owner": owner},
            )
            if result is None:
                raise LeaseLost(broadcast_id)

    def forget_recipients(self, broadcast_id: str, streams: Sequence[Stream]) -> None:
        """Remove the user ids from done streams' checkpoints; a repeat or a missing item changes nothing."""
        for stream in streams:
            self._table.update(
                Key={"broadcastId": _key(broadcast_id, stream)},
                UpdateExpression="REMOVE " + ", ".join(_RECIPIENT_NAMES),
                ConditionExpression="done = :true",
                ExpressionAttributeNames=_RECIPIENT_NAMES,
                ExpressionAttributeValues={":true": True},
            )

    def finish_planning(
        self, broadcast_id: str, batches_planned: int, audience: int, by_version: dict[str, int]
    ) -> None:
        """Written by whoever cut the tails; the figures follow from the done checkpoints, so a repeat
        writes the same values."""
        self._table.update(
            Key={"broadcastId": broadcast_id},
            UpdateExpression=(
                "SET planningComplete = :true, batchesPlanned = :planned, audienceSize = :audience, "
                "audienceByVersion = :by_version"
            ),
            ConditionExpression="attribute_exists(broadcastId)",
            ExpressionAttributeValues={
                ":true": True,
                ":planned": batches_planned,
                ":audience": audience,
                ":by_version": by_version,
            },
        )
