"""No handler logs its incoming event: events hold residents' messages, names and phone numbers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from tests.support.repo import REPO_ROOT, TEMPLATE_PATH

from devstack.sam_template import load_sam_template

FUNCTIONS = REPO_ROOT / "functions"


def _lambda_context_decorators(path: Path) -> list[ast.expr]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [d for d in node.decorator_list if "inject_lambda_context" in ast.unparse(d)]
    return found


def _handler_modules() -> list[Path]:
    """Every module template.yaml names as a Handler (a function's folder may hold helper modules too)."""
    modules = set()
    for resource in load_sam_template(TEMPLATE_PATH)["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function" and "Handler" in properties:
            module = properties["Handler"].rsplit(".", 1)[0].replace(".", "/")
            modules.add(REPO_ROOT / properties["CodeUri"] / f"{module}.py")
    return sorted(modules)


HANDLER_MODULES = _handler_modules()


def test_every_function_folder_has_its_handlers_checked() -> None:
    assert {path.parent for path in HANDLER_MODULES} == {path.parent for path in FUNCTIONS.glob("*/*.py")}


@pytest.mark.parametrize("handler", HANDLER_MODULES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_handler_injects_its_context_without_logging_the_event(handler: Path) -> None:
    # Given each function's handler module, when its Logger decorator is read
    decorators = _lambda_context_decorators(handler)
    # Then each says log_event=False explicitly (POWERTOOLS_LOGGER_LOG_EVENT=true would otherwise log it)
    assert decorators, "the handler does not inject the Lambda context"
    for decorator in decorators:
        assert isinstance(decorator, ast.Call), f"{ast.unparse(decorator)} needs log_event=False"
        log_event = next((k.value for k in decorator.keywords if k.arg == "log_event"), None)
        assert isinstance(log_event, ast.Constant), f"{ast.unparse(decorator)} needs log_event=False"
        assert log_event.value is False
