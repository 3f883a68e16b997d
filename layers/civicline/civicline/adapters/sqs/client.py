"""The SQS client every queue adapter uses: one definition of its retries and timeouts.

Standard retries absorb SQS's short throttling; the timeouts keep one slow call from eating a batch's
time. Built by the composition root of each function (once per container) and passed to the adapters.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

SQS_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=5)


def sqs_client() -> Any:
    return boto3.client("sqs", config=SQS_CONFIG)
