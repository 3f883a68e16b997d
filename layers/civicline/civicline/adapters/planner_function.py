"""The broadcast planner, asked through Lambda Invoke: what `make broadcast` does, for the staff console.

The console never plans, schedules or cancels itself: it sends the planner the same events as the CLI
(civicline.services.broadcast_planner) and hands its answer on, so there is one implementation.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import domain_error
from civicline.domain.errors import CivicLineError

# The HTTP API gives up after 30 s: wait a little less, and never retry a send (the planner is
# idempotent, but a retry would only wait on its lease).
LAMBDA_CONFIG = Config(read_timeout=27, connect_timeout=2, retries={"total_max_attempts": 1})


class PlannerUnavailable(CivicLineError):
    """The planner could not be asked, or failed (its error type only, never its message)."""


def planner_lambda_client() -> Any:
    return boto3.client("lambda", config=LAMBDA_CONFIG)


class PlannerFunction:
    def __init__(self, client: Any, function_name: str) -> None:
        self._client = client
        self._function = function_name

    def ask(self, event: dict[str, Any]) -> dict[str, Any]:
        """The planner's answer: a preview, a report, or `{"error": {"type", "message", ...}}`."""
        try:
            response = self._client.invoke(FunctionName=self._function, Payload=json.dumps(event).encode())
        except (ClientError, BotoCoreError) as error:
            raise domain_error(error, "Lambda.invoke(planner)", PlannerUnavailable) from error
        payload = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError") or not isinstance(payload, dict):
            kind = payload.get("errorType", "unknown") if isinstance(payload, dict) else "unknown"
            raise PlannerUnavailable(f"the broadcast planner failed: {kind}")
        return payload
