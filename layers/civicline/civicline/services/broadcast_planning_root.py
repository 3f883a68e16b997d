"""What the broadcast planner and its planning workers both plan with, built the same way for both.

Either function plans batches (the planner when one invocation covers the audience, a worker per scan
segment), so each builds, once at cold start, the same ledger, audience and batches queue from the
same three clients: `PlanningClients.from_aws()` in the handler modules, moto's or fakes in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.dynamodb.audience import DynamoAudience
from civicline.adapters.dynamodb.broadcast_ledger import DynamoBroadcasts
from civicline.adapters.dynamodb.broadcasts_table import BroadcastsTable
from civicline.adapters.dynamodb.wire_client import dynamodb_client
from civicline.adapters.sqs.broadcast_batches import BroadcastBatchesQueue
from civicline.adapters.sqs.client import sqs_client
from civicline.models.environment import BroadcastPlanWorkerEnvironment


@dataclass(frozen=True)
class PlanningClients:
    dynamodb: Any  # the DynamoDB resource (native values)
    dynamodb_wire: Any  # a plain DynamoDB client (wire format: transactions, parallel Scan)
    sqs: Any

    @classmethod
    def from_aws(cls) -> PlanningClients:
        return cls(dynamodb=dynamodb_resource(), dynamodb_wire=dynamodb_client(), sqs=sqs_client())


@dataclass(frozen=True)
class PlanningAdapters:
    ledger: DynamoBroadcasts
    audience: DynamoAudience
    queue: BroadcastBatchesQueue


def planning_adapters(env: BroadcastPlanWorkerEnvironment, clients: PlanningClients) -> PlanningAdapters:
    """The Broadcasts ledger, the residents' audience and the batches queue, on `clients`."""
    table = BroadcastsTable(clients.dynamodb.Table(env.broadcasts_table), clients.dynamodb_wire)
    return PlanningAdapters(
        ledger=DynamoBroadcasts(table),
        audience=DynamoAudience(clients.dynamodb_wire, env.users_table),
        queue=BroadcastBatchesQueue(clients.sqs, env.broadcast_batches_queue_url),
    )
