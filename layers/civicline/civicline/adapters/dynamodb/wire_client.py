"""The plain DynamoDB client (wire format) of the broadcast adapters, made by a composition root.

A plain client, not the resource's: the audience Scan parses items from the wire format itself (the
resource's deserialiser would cost more than the Scan) and the ledger writes transactions in it.
Up to 32 pooled connections: a planning worker's Scan pages and writes share one client.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

WIRE_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 5},
    connect_timeout=3,
    read_timeout=30,
    max_pool_connections=32,
)


def dynamodb_client() -> Any:
    return boto3.client("dynamodb", config=WIRE_CONFIG)
