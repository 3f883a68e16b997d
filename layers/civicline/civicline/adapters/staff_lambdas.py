"""The staff console calling the functions that do the work: ExportFunction (synchronously, the link
is the answer) and DashboardRefreshFunction (asynchronously, a refresh of 1M residents outlasts an HTTP
request). The console's own role may invoke these two and nothing else (template.yaml)."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import error_code
from civicline.domain.errors import StoreUnavailable

# An export of 100,000 applications takes minutes, longer than API Gateway waits (30 s): such a file
# is the daily export's, fetched by link. The console's exports are the day's few; never retried by
# the SDK, so an export is never started twice.
_CONFIG = Config(connect_timeout=3, read_timeout=28, retries={"total_max_attempts": 1})


def lambda_client() -> Any:
    return boto3.client("lambda", config=_CONFIG)


class LambdaFunctions:
    """ExportInvoker and RefreshStarter over Lambda Invoke."""

    def __init__(self, client: Any, export_function: str, refresh_function: str) -> None:
        self._client = client
        self._export = export_function
        self._refresh = refresh_function

    def export(self, grant_id: str) -> dict[str, Any]:
        """ExportFunction's answer to `{"grantId"}`: ExportResult (camelCase) or `{"error": ...}`."""
        try:
            response = self._client.invoke(
                FunctionName=self._export, Payload=json.dumps({"grantId": grant_id}).encode()
            )
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"Lambda.invoke(export): {error_code(error)}") from error
        payload = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError") or not isinstance(payload, dict):
            raise StoreUnavailable("Lambda.invoke(export): the export function failed")
        return payload

    def start_refresh(self) -> None:
        try:
            self._client.invoke(
                FunctionName=self._refresh,
                InvocationType="Event",
                Payload=json.dumps({"trigger": "staff"}).encode(),
            )
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"Lambda.invoke(dashboard refresh): {error_code(error)}") from error
