"""What X-Ray receives: botocore calls only, and exceptions named by type or carrying ids only."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from aws_lambda_powertools import Logger

from civicline.domain.errors import StoreUnavailable
from civicline.services.tracing import PATCHED_MODULES, UnexpectedError, ids_only

ROOT = Path(__file__).resolve().parents[3]
HANDLERS = sorted((ROOT / "functions").glob("*/*.py"))
TRACER_DECORATORS = {"capture_method", "capture_lambda_handler"}
RESIDENT_PHONE = "090-1234-5678"


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) == name or getattr(node.func, "attr", None) == name)
    ]


def _keywords(call: ast.Call) -> dict[str, object]:
    return {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}


def test_x_ray_patches_botocore_only_never_the_http_clients_that_carry_resident_ids() -> None:
    # The LINE SDK's calls go through urllib3/http.client: patched, /v2/bot/profile/{userId} is recorded
    assert PATCHED_MODULES == ("botocore",)
    assert not {"httplib", "requests", "httpx", "aiohttp"} & set(PATCHED_MODULES)


@pytest.mark.parametrize("handler", HANDLERS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_handler_builds_a_tracer_that_patches_everything_or_captures_responses_or_errors(
    handler: Path,
) -> None:
    tree = ast.parse(handler.read_text(encoding="utf-8"))
    # Given a handler: it never builds Powertools' Tracer() itself (that patches every module)
    assert _calls(tree, "Tracer") == [], f"{handler}: use civicline.services.tracing.tracer()"
    # And each traced function captures neither its response nor its error as metadata
    for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
        traced = [
            decorator
            for decorator in function.decorator_list
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", None) in TRACER_DECORATORS
        ]
        bare = [
            decorator
            for decorator in function.decorator_list
            if isinstance(decorator, ast.Attribute) and decorator.attr in TRACER_DECORATORS
        ]
        assert not bare, f"{handler}:{function.name}: say capture_response/capture_error=False"
        for decorator in traced:
            assert _keywords(decorator) == {"capture_response": False, "capture_error": False}
        # And a traced record handler lets only id-only errors reach X-Ray
        if traced and getattr(traced[0].func, "attr", None) == "capture_method":
            below = function.decorator_list[function.decorator_list.index(traced[0]) + 1 :]
            assert any("ids_only" in ast.unparse(d) for d in below), f"{handler}:{function.name}"


def test_an_unexpected_error_quoting_a_residents_phone_reaches_the_trace_as_its_type_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a traced record handler whose library raises with the resident's input in the message
    @ids_only(Logger(service="test"))
    def record_handler() -> None:
        json.loads(f'{{"phone": "{RESIDENT_PHONE}"')

    # When it fails
    with pytest.raises(UnexpectedError) as raised:
        record_handler()
    # Then what X-Ray records (str of the exception, and its chain) names the type only
    assert str(raised.value) == "JSONDecodeError"
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__
    # And the log says where, never what
    logged = capsys.readouterr().out
    assert "JSONDecodeError" in logged
    assert "test_tracing.py" in logged
    assert RESIDENT_PHONE not in logged


def test_a_domain_error_reaches_the_trace_unchanged_it_carries_ids_only() -> None:
    @ids_only(Logger(service="test"))
    def record_handler() -> None:
        raise StoreUnavailable("Applications.get_item: ThrottlingException")

    with pytest.raises(StoreUnavailable, match="ThrottlingException"):
        record_handler()
