"""After a broadcast, the Broadcasts table keeps counts, not residents' LINE user ids (issue 12/9)."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

from boto3.dynamodb.types import TypeDeserializer
from tests.integration.broadcast.broadcast_stack import BroadcastStack, worker_context
from tests.integration.broadcast.test_broadcast_flow import TEXT, active_settings

from civicline.domain.broadcast.planner import PLAN_RECORD_LIFETIME

_deserializer = TypeDeserializer()


def broadcast_items(stack: BroadcastStack) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in stack.dynamodb.get_paginator("scan").paginate(TableName=stack.broadcasts_table):
        items += [{k: _deserializer.deserialize(v) for k, v in item.items()} for item in page["Items"]]
    return items


def strings_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings_in(v) for v in value.values())) if value else set()
    if isinstance(value, list | set | tuple):
        return set().union(*(strings_in(v) for v in value)) if value else set()
    return set()


def test_once_a_broadcast_is_sent_no_broadcast_item_names_a_resident_and_retries_and_figures_hold(
    stack: BroadcastStack,
) -> None:
    # Given residents read through three scan segments, and LINE failing the first batch for a whole
    # invocation of the sender (so that batch is retried from the queue after planning has closed)
    items = stack.seed(2600)
    residents = set(active_settings(items))
    stack.fake.set_faults({"next": {"multicast": ["server_error"] * 7}})
    with mock.patch("civicline.domain.broadcast.sender.backoff_seconds", return_value=0.0):
        # When the broadcast is planned by its workers and every batch is sent
        planned = stack.plan({"broadcast_id": "b-private", "messages": TEXT})
        stack.drain()
    # Then everyone got it once, the retried batch included, and the report keeps its figures
    deliveries = stack.deliveries()
    assert set(deliveries) == residents
    assert set(deliveries.values()) == {1}
    report = stack.report("b-private")
    assert report["status"] == "done"
    assert report["retries"] >= 1
    assert report["audienceSize"] == report["recipientsSent"] == len(residents)
    assert report["batchesPlanned"] == report["batchesSent"] == planned["batchesPlanned"]
    # And no item of the Broadcasts table holds a resident's LINE user id
    stored = broadcast_items(stack)
    assert {item["broadcastId"] for item in stored if "#plan#" in item["broadcastId"]}
    assert not [item["broadcastId"] for item in stored if strings_in(item) & residents]
    # And every plan item expires by TTL within the broadcast's retry window
    horizon = time.time() + PLAN_RECORD_LIFETIME.total_seconds()
    for item in stored:
        if "#plan#" in item["broadcastId"]:
            assert time.time() < int(item["expiresAt"]) <= horizon, item["broadcastId"]


def test_a_planner_or_worker_invoked_again_after_the_ids_are_gone_enqueues_nothing(
    stack: BroadcastStack,
) -> None:
    stack.seed(1700)
    first = stack.plan({"broadcast_id": "b-again-private", "messages": TEXT})
    sent = stack.drain()
    # When staff run the planner again and a planning worker's event is delivered once more
    again = stack.plan({"broadcast_id": "b-again-private", "messages": TEXT}, request_id="late-invocation")
    stack.worker.handler({"broadcastId": "b-again-private", "scanSegment": 0}, worker_context())
    # Then nothing is enqueued, and the figures are those of the first plan
    assert stack.receive() == []
    assert sent == first["batchesPlanned"] == again["batchesPlanned"]
    assert max(stack.deliveries().values()) == 1
