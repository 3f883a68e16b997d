"""The plain DynamoDB client (wire format), made once per container by a composition root.

A plain client, not the resource's, where items are read or written in the wire format: the broadcast
audience Scan parses them itself (the resource's deserialiser would cost more than the Scan), the
broadcast ledger writes transactions in it, and Powertools idempotency (conversation, intake, sender)
stores its records through it (the resource's client would rewrite attribute values for the resource).
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
