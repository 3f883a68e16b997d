"""The three audiences stay apart: what is deployed or run by staff never imports developers' tools."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from tests.support.repo import REPO_ROOT

# Top-level names of the developers' side: the local stack, its tools, the tests, the repo's chores.
DEVELOPER_MODULES = {"devstack", "tools", "tests", "scripts", "bench", "devtools"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("folder", ["functions", "layers/civicline", "staff"])
def test_production_and_staff_code_imports_nothing_of_the_developers_side(folder: str) -> None:
    # Given every Python file that is deployed or that staff run
    files = sorted((REPO_ROOT / folder).rglob("*.py"))
    assert files
    # When their imports are read / Then none reaches the local stack, tools, tests or scripts
    offenders = {
        str(path.relative_to(REPO_ROOT)): sorted(imported_roots(path) & DEVELOPER_MODULES) for path in files
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_local_stack_imports_nothing_of_civicline() -> None:
    # Given the local stack's package, a product that runs any SAM template
    files = sorted((REPO_ROOT / "tools" / "devstack" / "src").rglob("*.py"))
    assert files
    # Then it imports neither the layer nor anything else of this repository
    ours = (DEVELOPER_MODULES - {"devstack"}) | {"civicline", "staff"}
    offenders = {str(p.relative_to(REPO_ROOT)): sorted(imported_roots(p) & ours) for p in files}
    assert {path: names for path, names in offenders.items() if names} == {}


LAYER = REPO_ROOT / "layers" / "civicline" / "civicline"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, by full name (`from civicline import messages`: civicline.messages)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def reaching(path: Path, packages: set[str]) -> list[str]:
    return sorted(
        module
        for module in imported_modules(path)
        if any(module == package or module.startswith(package + ".") for package in packages)
    )


def test_the_domain_imports_no_adapter_service_or_sdk() -> None:
    # Given the domain: the ward's rules, testable with fakes of its ports
    files = sorted((LAYER / "domain").rglob("*.py"))
    assert files
    # Then none of its modules reaches an adapter, a service, boto3 or the LINE SDK
    forbidden = {"civicline.adapters", "civicline.services", "boto3", "botocore", "linebot"}
    offenders = {str(p.relative_to(REPO_ROOT)): reaching(p, forbidden) for p in files}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_models_import_nothing_of_ours_above_them() -> None:
    # Given the models: the shapes every layer above shares
    files = sorted((LAYER / "models").rglob("*.py"))
    assert files
    # Then of civicline they import only other models and the ward's clock (which imports nothing of ours)
    allowed = ("civicline.models", "civicline.ward_time")
    offenders = {
        str(p.relative_to(REPO_ROOT)): sorted(
            module
            for module in reaching(p, {"civicline"})
            if not any(module == name or module.startswith(name + ".") for name in allowed)
        )
        for p in files
    }
    assert {path: names for path, names in offenders.items() if names} == {}
    assert reaching(LAYER / "ward_time.py", {"civicline"}) == []
