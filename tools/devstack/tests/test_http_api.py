"""The HttpApi routes: API Gateway's payload format 2.0 in, the function's response out."""

from __future__ import annotations

import base64
import http.client
import json
from typing import Any
from urllib.parse import urlsplit

from devstack.stack import LocalStack


def _request(
    stack: LocalStack, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    url = urlsplit(stack.api_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _echoed_event(body: bytes) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(body)["event"]
    return event


def test_post_webhook_gets_a_v2_event_with_a_text_body(stack: LocalStack) -> None:
    # Given a JSON POST like LINE's, with a mixed-case signature header and a repeated query parameter
    payload = b'{"destination":"U0","events":[]}'
    status, headers, body = _request(
        stack,
        "POST",
        "/webhook?a=1&a=2&b=",
        payload,
        {"Content-Type": "application/json; charset=utf-8", "X-Line-Signature": "c2ln", "Cookie": "x=1; y=2"},
    )
    # Then the function's statusCode, headers and cookies come back
    assert status == 201
    assert headers["x-fixture"] == "echo"
    assert headers["set-cookie"] == "session=abc; Path=/"
    event = _echoed_event(body)
    # And the event is API Gateway's payload format 2.0
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /webhook"
    assert event["rawPath"] == "/webhook"
    assert event["rawQueryString"] == "a=1&a=2&b="
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["headers"]["x-line-signature"] == "c2ln"
    assert event["headers"]["content-type"] == "application/json; charset=utf-8"
    assert all(name == name.lower() for name in event["headers"])
    assert event["cookies"] == ["x=1", "y=2"]
    assert event["isBase64Encoded"] is False
    assert event["body"] == payload.decode()
    context = event["requestContext"]
    assert context["http"]["method"] == "POST"
    assert context["http"]["path"] == "/webhook"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["stage"] == "$default"
    assert context["routeKey"] == "POST /webhook"
    assert context["requestId"]
    assert isinstance(context["timeEpoch"], int)
    assert "pathParameters" not in event


def test_binary_bodies_are_base64_encoded(stack: LocalStack) -> None:
    # Given a body that is not text
    payload = bytes(range(256))
    _, _, body = _request(stack, "POST", "/webhook", payload, {"Content-Type": "application/octet-stream"})
    event = _echoed_event(body)
    # Then the function gets it base64-encoded and flagged so
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_path_parameters_are_matched(stack: LocalStack) -> None:
    status, _, body = _request(stack, "GET", "/items/42%2A")
    event = _echoed_event(body)
    assert status == 201
    assert event["routeKey"] == "GET /items/{itemId}"
    assert event["pathParameters"] == {"itemId": "42*"}
    assert "body" not in event


def test_a_response_without_status_code_becomes_json_200(stack: LocalStack) -> None:
    status, headers, body = _request(stack, "GET", "/items/raw")
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"itemId": "raw"}


def test_a_raising_handler_is_a_500_and_unknown_routes_a_404(stack: LocalStack) -> None:
    status, _, body = _request(stack, "GET", "/items/boom")
    assert (status, json.loads(body)) == (500, {"message": "Internal Server Error"})
    status, _, body = _request(stack, "DELETE", "/webhook")
    assert (status, json.loads(body)) == (404, {"message": "Not Found"})


def test_handler_logs_go_to_the_functions_log_file(stack: LocalStack) -> None:
    # Given a request served by the echo function, which logs with Powertools' Logger
    _request(stack, "GET", "/items/7")
    # Then its JSON log line is in EchoFunction.log, with the Lambda context
    lines = (stack.log_dir / "EchoFunction.log").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(
        r["message"] == "echo" and r["function_name"] == "civicline-local-EchoFunction" for r in records
    )
    assert any(line.startswith("START RequestId: ") for line in lines)
