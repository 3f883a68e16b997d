"""The HTTP shapes the fake speaks: requests in, responses out, and LINE's error bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @classmethod
    def build(cls, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Request:
        path, _, query = raw_path.partition("?")
        return cls(
            method=method.upper(),
            path=path,
            query=parse_qs(query),
            headers={name.lower(): value for name, value in headers.items()},
            body=body,
        )

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Close the connection without answering: the request was accepted but the client never learns it.
    drop_connection: bool = False


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(
        status=status,
        body=body,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


@dataclass(frozen=True)
class Violation:
    """One failed rule, reported in LINE's `details` array."""

    property: str
    message: str


class LineApiError(Exception):
    """An error answer in LINE's shape: `{"message", "details"?}`."""

    def __init__(
        self,
        status: int,
        message: str,
        details: list[Violation] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def to_response(self) -> Response:
        payload: dict[str, Any] = {"message": self.message}
        if self.details:
            payload["details"] = [{"message": v.message, "property": v.property} for v in self.details]
        return json_response(self.status, payload, self.headers)


def invalid_body(violations: list[Violation]) -> LineApiError:
    return LineApiError(400, f"The request body has {len(violations)} error(s)", violations)


def parse_json_body(request: Request) -> Any:
    try:
        return json.loads(request.body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise LineApiError(400, "The request body could not be parsed as JSON") from error
    except json.JSONDecodeError as error:
        raise LineApiError(
            400,
            f"The request body could not be parsed as JSON (line: {error.lineno}, column: {error.colno})",
        ) from error


def json_object_body(request: Request) -> dict[str, Any]:
    body = parse_json_body(request)
    if not isinstance(body, dict):
        raise LineApiError(400, "The request body could not be parsed as JSON (line: 1, column: 1)")
    return body


NOT_FOUND = "Not found"
