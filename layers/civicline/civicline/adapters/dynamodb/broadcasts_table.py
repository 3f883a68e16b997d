"""The Broadcasts table (key `broadcastId`): a few small items per broadcast, read and written here.

    <id>              listing (the byCreated index's partition), status, title, test, requestHash,
                      createdAt, sendDate, sendAt, scanSegments, planningComplete, batchesPlanned,
                      audienceSize, batchesSent, recipientsSent,
                      batchesFailed, recipientsFailed, batchesCompleted, retries, alreadyAccepted,
                      firstBatchAcceptedAt, lastBatchAcceptedAt, failures (first few, LINE's answers only)
    <id>#request      the request as JSON (messages up to 5 × 30 KB of Flex: kept apart so that
                      every counter update writes a small item)
    <id>#plan#<s>     PlanCheckpoint of scan segment s (with the pending batch's recipients and, once
                      done, the segment's remainder: both removed when planning is done), the lease of
                      the worker planning it, expiresAt (PLAN_RECORD_LIFETIME after the first lease)
    <id>#plan#tail    PlanCheckpoint of the tail (the segments' remainders cut together), its lease,
                      expiresAt
    <id>#batch#<n>    batch n is settled (outcome, LINE status): each batch is counted once
    ratelimit#multicast#<window>   shared multicast slots (DynamoSendSlots), expiresAt

Why the split: DynamoDB bills an update by the size of the whole item and allows about 1,000 write
units per second on one item. The counters item takes one transaction per batch (≤ 200/s), so it must
stay a few hundred bytes, not carry the request, the checkpoints or the list of batches counted.

Who writes what: broadcast_ledger (the record, the request, counters, status), broadcast_checkpoints
(lease and checkpoints), broadcast_report (reads only), send_slots (the rate-limit windows).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import is_transaction_cancelled
from civicline.adapters.dynamodb import is_condition_failure, unavailable
from civicline.domain.broadcast.errors import BroadcastNotFound

BY_CREATED = "byCreated"  # sparse index: broadcast records (listing, createdAt), newest first
CONDITION_FAILED = "ConditionalCheckFailed"  # a cancellation reason's code (not the exception's)
_serializer = TypeSerializer()


def wire(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items()}


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def plan_key(broadcast_id: str, part: int | str, language: str = "ja") -> str:
    """A scan segment's checkpoint (`part` its number) or the tail's (`part` "tail"), of one version.

    Japanese keeps the key it had before there were versions (`<id>#plan#<part>`), so a broadcast
    planned across the upgrade resumes from its checkpoints; other versions add `#<language>`.
    """
    return f"{broadcast_id}#plan#{part}" if language == "ja" else f"{broadcast_id}#plan#{part}#{language}"


def _cancellation_codes(error: ClientError) -> list[str]:
    return [reason.get("Code", "") for reason in error.response.get("CancellationReasons", [])]


class BroadcastsTable:
    """Item access shared by the broadcast adapters: consistent reads, conditional writes, no ClientError."""

    def __init__(self, table: Any, client: Any) -> None:
        self.table = table  # the resource's Table (native values)
        self.client = client  # a plain client (wire format), for transactions
        self.name: str = table.name

    def item(self, key: str) -> dict[str, Any] | None:
        try:
            found = self.table.get_item(Key={"broadcastId": key}, ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Broadcasts.get_item") from error
        return plain(found) if found is not None else None

    def broadcast(self, broadcast_id: str) -> dict[str, Any]:
        found = self.item(broadcast_id)
        if found is None:
            raise BroadcastNotFound(broadcast_id)
        return found

    def newest(self, listing: str, limit: int) -> list[str]:
        """Ids of the newest `limit` records of the byCreated index's partition `listing`."""
        try:
            found = self.table.query(
                IndexName=BY_CREATED,
                KeyConditionExpression="listing = :listing",
                ExpressionAttributeValues={":listing": listing},
                ProjectionExpression="broadcastId",
                ScanIndexForward=False,
                Limit=limit,
            )
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Broadcasts.query") from error
        return [str(item["broadcastId"]) for item in found.get("Items", [])]

    def transact(self, items: list[dict[str, Any]]) -> list[str] | None:
        """None when written, else the cancellation codes (per item) of a failed condition."""
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if is_transaction_cancelled(error):
                codes = _cancellation_codes(error)
                if CONDITION_FAILED in codes:
                    return codes
            raise unavailable(error, "Broadcasts.transact_write_items") from error
        except BotoCoreError as error:
            raise unavailable(error, "Broadcasts.transact_write_items") from error
        return None

    def update(self, **kwargs: Any) -> dict[str, Any] | None:
        """UpdateItem; None when its condition fails."""
        try:
            result: dict[str, Any] = self.table.update_item(**kwargs)
        except ClientError as error:
            if is_condition_failure(error):
                return None
            raise unavailable(error, "Broadcasts.update_item") from error
        except BotoCoreError as error:
            raise unavailable(error, "Broadcasts.update_item") from error
        return result
