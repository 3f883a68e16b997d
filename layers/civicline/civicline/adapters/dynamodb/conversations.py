"""The Conversations table: one open conversation per resident (key `userId`), shared by every flow.

Item: `{userId, flow, state (a map), version, expiresAt (TTL, epoch s), updatedAt}`. Every write names
the version it read (optimistic locking), so two writers can never silently overwrite each other; the
loser gets ConversationConflict. DynamoDB removes expired items only eventually, so `load` ignores
them and a new conversation may replace one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import is_condition_failure, unavailable
from civicline.domain.chat.conversations import ConversationConflict, StoredConversation

DEFAULT_TTL = timedelta(hours=24)


class DynamoConversations:
    def __init__(
        self, table: Any, ttl: timedelta = DEFAULT_TTL, clock: Callable[[], float] = time.time
    ) -> None:
        self._table = table
        self._ttl = ttl
        self._clock = clock

    def load(self, user_id: str) -> StoredConversation | None:
        try:
            item = self._table.get_item(Key={"userId": user_id}, ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Conversations.get_item") from error
        if not item or int(item.get("expiresAt", 0)) <= int(self._clock()):
            return None
        return StoredConversation(
            user_id=user_id,
            flow=str(item["flow"]),
            state=_from_dynamo(item.get("state") or {}),
            version=int(item["version"]),
            expires_at=int(item["expiresAt"]),
        )

    def save(
        self,
        user_id: str,
        flow: str,
        state: dict[str, Any],
        expected_version: int,
        lifetime: timedelta | None = None,
    ) -> StoredConversation:
        now = int(self._clock())
        expires_at = now + int((lifetime or self._ttl).total_seconds())
        version = expected_version + 1
        if expected_version == 0:
            condition = "attribute_not_exists(userId) OR expiresAt <= :now"
            values: dict[str, Any] = {":now": now}
        else:
            condition = "version = :expected"
            values = {":expected": expected_version}
        item = {
            "userId": user_id,
            "flow": flow,
            "state": _to_dynamo(state),
            "version": version,
            "expiresAt": expires_at,
            "updatedAt": now,
        }
        try:
            self._table.put_item(Item=item, ConditionExpression=condition, ExpressionAttributeValues=values)
        except ClientError as error:
            if is_condition_failure(error):
                raise ConversationConflict(
                    f"conversation of {user_id} changed (expected {expected_version})"
                ) from None
            raise unavailable(error, "Conversations.put_item") from error
        except BotoCoreError as error:
            raise unavailable(error, "Conversations.put_item") from error
        return StoredConversation(
            user_id=user_id, flow=flow, state=state, version=version, expires_at=expires_at
        )

    def clear(self, user_id: str, expected_version: int) -> None:
        try:
            # Already gone is fine: a retried event closes the same conversation twice.
            self._table.delete_item(
                Key={"userId": user_id},
                ConditionExpression="attribute_not_exists(userId) OR version = :expected",
                ExpressionAttributeValues={":expected": expected_version},
            )
        except ClientError as error:
            if is_condition_failure(error):
                raise ConversationConflict(
                    f"conversation of {user_id} changed (expected {expected_version})"
                ) from None
            raise unavailable(error, "Conversations.delete_item") from error
        except BotoCoreError as error:
            raise unavailable(error, "Conversations.delete_item") from error


def _to_dynamo(state: dict[str, Any]) -> Any:
    # DynamoDB has no floats: numbers travel as Decimal. A JSON round trip also refuses non-JSON values.
    return json.loads(json.dumps(state, ensure_ascii=False), parse_float=Decimal)


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamo(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(item) for item in value]
    return value
