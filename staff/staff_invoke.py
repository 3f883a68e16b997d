"""How the staff CLIs call a civicline function: boto3 Lambda Invoke with the caller's own credentials.

Shared by `make broadcast` and `make export`; locally `endpoint_url` is the local stack's Invoke API.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlsplit

# The functions run for up to 15 minutes (an export of 100,000 applications takes minutes): the call
# waits, and is never retried by the SDK, so a slow export or plan is never started twice.
LAMBDA_READ_TIMEOUT_SECONDS = 960


def is_local(endpoint_url: str | None) -> bool:
    return bool(endpoint_url) and urlsplit(endpoint_url or "").hostname in ("127.0.0.1", "localhost")


def lambda_client(endpoint_url: str | None) -> Any:
    import boto3

    if is_local(endpoint_url):  # the local stack: any credentials do, the region is the template's
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        os.environ.setdefault("AWS_DEFAULT_REGION", "ap-northeast-1")
    from botocore.config import Config

    config = Config(read_timeout=LAMBDA_READ_TIMEOUT_SECONDS, retries={"total_max_attempts": 1})
    return boto3.client("lambda", endpoint_url=endpoint_url, config=config)


def invoke(client: Any, function: str, event: dict[str, Any], *, what: str) -> dict[str, Any]:
    """The function's answer, or SystemExit with its refusal (field paths and reasons, never values)."""
    response = client.invoke(FunctionName=function, Payload=json.dumps(event, ensure_ascii=False).encode())
    payload = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError"):
        raise SystemExit(f"the {what} failed: {payload.get('errorType')}: {payload.get('errorMessage')}")
    if isinstance(payload, dict) and "error" in payload:
        error = payload["error"]
        # models.validation.validation_details: [{"field", "message"}], printed as "field: message"
        details = "".join("\n  " + ": ".join(map(str, d.values())) for d in error.get("details", []))
        raise SystemExit(f"refused ({error['type']}): {error['message']}{details}")
    result: dict[str, Any] = payload
    return result
