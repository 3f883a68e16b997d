"""The bench's moto DynamoDB (tools/bench/moto_servers.py): made cheaper, answering as moto does.

The broadcast bench's figures rest on its transactions being DynamoDB's all-or-nothing (restoring
only their own items) and its plain-JSON item operations answering exactly as moto's own path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.responses import DynamoHandler

from tools.bench.moto_servers import item_scoped_transactions, plain_json_items

TABLE = "bench-broadcasts"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", DynamoDBBackend.transact_write_items)
    item_scoped_transactions()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="ap-northeast-1")
        _fresh_table(dynamodb)
        yield dynamodb


def _fresh_table(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "broadcastId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "broadcastId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for key in ("counters", "bystander"):
        dynamodb.put_item(TableName=TABLE, Item={"broadcastId": {"S": key}, "sent": {"N": "1"}})


def _count_batch(batch: str) -> list[dict[str, Any]]:
    """A sender counting a batch: its marker (once only) and the broadcast's counters, together."""
    return [
        {
            "Put": {
                "TableName": TABLE,
                "Item": {"broadcastId": {"S": batch}},
                "ConditionExpression": "attribute_not_exists(broadcastId)",
            }
        },
        {
            "Update": {
                "TableName": TABLE,
                "Key": {"broadcastId": {"S": "counters"}},
                "UpdateExpression": "ADD sent :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]


def _sent(client: Any, key: str) -> int:
    item = client.get_item(TableName=TABLE, Key={"broadcastId": {"S": key}}, ConsistentRead=True)["Item"]
    return int(item["sent"]["N"])


def test_a_batch_counted_for_the_first_time_writes_its_marker_and_the_counters(client: Any) -> None:
    # Given a broadcast's counters / When batch 1 is counted
    client.transact_write_items(TransactItems=_count_batch("batch#1"))

    # Then its marker is there and the counter went up by one
    assert "Item" in client.get_item(TableName=TABLE, Key={"broadcastId": {"S": "batch#1"}})
    assert _sent(client, "counters") == 2


def test_a_batch_counted_twice_leaves_the_counters_and_every_other_item_as_they_were(client: Any) -> None:
    # Given batch 1 counted once, and another item written since
    client.transact_write_items(TransactItems=_count_batch("batch#1"))
    client.update_item(
        TableName=TABLE,
        Key={"broadcastId": {"S": "bystander"}},
        UpdateExpression="ADD sent :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )

    # When SQS delivers batch 1 again and the sender counts it again
    with pytest.raises(ClientError) as cancelled:
        client.transact_write_items(TransactItems=_count_batch("batch#1"))

    # Then the transaction is cancelled by the marker's condition, nothing of it is kept, and the
    # other item's write stays
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["ConditionalCheckFailed", "None"]
    assert _sent(client, "counters") == 2
    assert _sent(client, "bystander") == 2


def test_a_cancelled_transaction_removes_an_item_it_had_created(client: Any) -> None:
    # Given a transaction whose first write creates an item and whose second one fails its condition
    items = _count_batch("batch#2")
    items[1]["Update"]["ConditionExpression"] = "attribute_not_exists(broadcastId)"

    # When it is sent
    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=items)

    # Then the item it had created is gone again
    assert "Item" not in client.get_item(TableName=TABLE, Key={"broadcastId": {"S": "batch#2"}})
    assert _sent(client, "counters") == 1


def _a_broadcasts_day(dynamodb: Any) -> list[Any]:
    """What the planner and senders ask of Broadcasts, and what each is answered (errors included)."""
    key = {"broadcastId": {"S": "bench#plan#0"}}
    answers: list[Any] = [
        dynamodb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET pending = :pending, nextIndex = :next, done = :done",
            ExpressionAttributeValues={
                ":pending": {"L": [{"S": f"U{n:032x}"} for n in range(500)]},
                ":next": {"N": "3"},
                ":done": {"BOOL": False},
            },
            ReturnValues="ALL_NEW",
        ),
        dynamodb.get_item(TableName=TABLE, Key=key, ConsistentRead=True),
        dynamodb.get_item(TableName=TABLE, Key={"broadcastId": {"S": "absent"}}, ConsistentRead=True),
        dynamodb.batch_get_item(
            RequestItems={TABLE: {"Keys": [key, {"broadcastId": {"S": "counters"}}], "ConsistentRead": True}}
        ),
        dynamodb.transact_write_items(TransactItems=_count_batch("batch#1")),
    ]
    for refused in (
        lambda: dynamodb.transact_write_items(TransactItems=_count_batch("batch#1")),
        lambda: dynamodb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET lease = :owner",
            ConditionExpression="attribute_not_exists(broadcastId)",
            ExpressionAttributeValues={":owner": {"S": "worker"}},
        ),
    ):
        with pytest.raises(ClientError) as error:
            refused()
        answers.append(error.value.response.get("CancellationReasons") or error.value.response["Error"])
    for answer in answers:
        if isinstance(answer, dict):
            answer.pop("ResponseMetadata", None)
    return answers


def test_item_operations_in_plain_json_are_answered_as_by_motos_own_parsing(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given what moto's own parsing and serialising answer to a broadcast's item operations
    shaped = _a_broadcasts_day(client)
    for name in ("parse_parameters", "serialized"):
        monkeypatch.setattr(DynamoHandler, name, getattr(DynamoHandler, name))
    client.delete_table(TableName=TABLE)
    _fresh_table(client)

    # When the same operations are read and answered as plain JSON
    plain_json_items()
    plain = _a_broadcasts_day(client)

    # Then every answer is the same
    assert plain == shaped
