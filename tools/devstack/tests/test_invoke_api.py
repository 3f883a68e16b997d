"""The Lambda Invoke endpoint: boto3's lambda client reaches the local functions as it reaches AWS."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from devstack.handlers import FunctionError
from devstack.stack import LocalStack


def _invoke(stack: LocalStack, name: str, event: Any, **kwargs: Any) -> dict[str, Any]:
    response: dict[str, Any] = stack.boto3_client("lambda").invoke(
        FunctionName=name, Payload=json.dumps(event).encode(), **kwargs
    )
    return response


@pytest.mark.parametrize(
    "name",
    [
        "EchoFunction",
        "civicline-local-EchoFunction",
        "arn:aws:lambda:ap-northeast-1:123456789012:function:civicline-local-EchoFunction",
    ],
)
def test_invoke_by_logical_id_name_or_arn_returns_the_payload(stack: LocalStack, name: str) -> None:
    response = _invoke(stack, name, {"rawPath": "/items/raw"})
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"itemId": "raw"}


def test_a_raising_function_reports_an_unhandled_error(stack: LocalStack) -> None:
    response = _invoke(stack, "WorkerFunction", {"Records": [{"messageId": "m1", "body": "raise"}]})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    payload = json.loads(response["Payload"].read())
    assert payload["errorType"] == "RuntimeError"
    assert payload["errorMessage"] == "the whole batch fails"


def test_an_unknown_function_is_resource_not_found(stack: LocalStack) -> None:
    with pytest.raises(ClientError) as raised:
        _invoke(stack, "NoSuchFunction", {})
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_event_invocations_are_accepted_and_run_in_the_background(stack: LocalStack) -> None:
    module = stack.functions["WorkerFunction"].module
    assert module is not None
    before = len(module.SEEN)
    response = _invoke(stack, "WorkerFunction", {"Records": []}, InvocationType="Event")
    assert response["StatusCode"] == 202
    assert stack.wait_until_idle(30)
    assert len(module.SEEN) == before + 1


def test_in_process_invoke_and_errors(stack: LocalStack) -> None:
    assert stack.invoke("EchoFunction", {"rawPath": "/items/raw"}) == {"itemId": "raw"}
    with pytest.raises(FunctionError) as raised:
        stack.invoke("EchoFunction", {"rawPath": "/items/boom"})
    assert raised.value.error_type == "ValueError"


def test_ready_and_wait_idle_controls(stack: LocalStack) -> None:
    with urllib.request.urlopen(f"{stack.invoke_url}/_devstack/ready", timeout=10) as response:  # noqa: S310
        assert json.loads(response.read()) == {"ready": True}
    request = urllib.request.Request(  # noqa: S310
        f"{stack.invoke_url}/_devstack/wait-idle?timeout=20", method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert json.loads(response.read()) == {"idle": True}
