"""DynamoDB access for the repositories: a resource made once by a composition root; errors translated."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import domain_error, is_condition_failure
from civicline.domain.errors import StoreUnavailable

__all__ = ["dynamodb_resource", "is_condition_failure", "unavailable"]

# Adaptive retries absorb short throttling; the timeouts keep one slow call from eating the batch.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=5)


def dynamodb_resource() -> Any:
    """A new resource: a composition root calls this once per container and hands it to its adapters."""
    return boto3.resource("dynamodb", config=_CONFIG)


def unavailable(error: ClientError | BotoCoreError, operation: str) -> StoreUnavailable:
    """The domain's view of a failed DynamoDB call: the operation and the error code, no item content."""
    return domain_error(error, operation, StoreUnavailable)
