"""The council's dossier as data: every section built from the template, the code and the test runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from civicline.models.city import City, load_city
from civicline.models.personal_data import (
    ADAPTER_TABLES,
    BOOKKEEPING,
    PERSONAL_DATA,
    PII_DECRYPT_FUNCTIONS,
    PII_ENCRYPT_FUNCTIONS,
    PersonalDataField,
)
from civicline.ward_time import WARD_TZ
from tools.privacy_report import access_checks, lifecycle_checks
from tools.privacy_report.check import Check
from tools.privacy_report.connections import (
    Connection,
    FunctionLine,
    RoleAccess,
    connections,
    function_lines,
    operator_access,
)
from tools.privacy_report.dataflow import dot_source, render_svg
from tools.privacy_report.records import FieldRow, Uncatalogued, field_rows, uncatalogued
from tools.privacy_report.stored_attributes import scan_adapters
from tools.privacy_report.test_results import TestResults, read_results

REPO_ROOT = Path(__file__).resolve().parents[2]
ADAPTERS_DIR = REPO_ROOT / "layers/civicline/civicline/adapters/dynamodb"
RESULTS_DIR = REPO_ROOT / ".test-results"


@dataclass(frozen=True)
class Sources:
    """What the report reads besides the template; tests swap one part at a time."""

    adapters_dir: Path = ADAPTERS_DIR
    results_dir: Path = RESULTS_DIR
    catalogue: tuple[PersonalDataField, ...] = PERSONAL_DATA
    bookkeeping: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: BOOKKEEPING)
    adapter_tables: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: ADAPTER_TABLES)
    decrypt_functions: tuple[str, ...] = PII_DECRYPT_FUNCTIONS
    encrypt_functions: tuple[str, ...] = PII_ENCRYPT_FUNCTIONS


@dataclass(frozen=True)
class Report:
    generated_at: datetime
    city: City
    rows: list[FieldRow]
    uncatalogued: list[Uncatalogued]
    bookkeeping: Mapping[str, Mapping[str, str]]
    functions: list[FunctionLine]
    connections: list[Connection]
    operators: list[RoleAccess]
    checks: list[Check]
    diagram_svg: str | None
    results: TestResults

    def check(self, title_start: str) -> Check:
        return next(c for c in self.checks if c.title.startswith(title_start))


def build(cfn: dict[str, Any], sources: Sources | None = None, *, diagram: bool = True) -> Report:
    sources = sources or Sources()
    city = load_city()
    results = read_results(sources.results_dir)
    rows = field_rows(cfn, sources.catalogue, city, results)
    missing = uncatalogued(
        scan_adapters(sources.adapters_dir), sources.catalogue, sources.bookkeeping, sources.adapter_tables
    )
    functions = function_lines(cfn, sources.catalogue)
    personal_stores = {f.store for f in sources.catalogue}
    checks = [
        access_checks.region_check(cfn, results),
        access_checks.encryption_check(cfn, results),
        access_checks.field_key_check(cfn, sources.decrypt_functions, sources.encrypt_functions, results),
        access_checks.transport_check(cfn, results),
        access_checks.least_privilege_check(cfn, results),
        access_checks.mfa_check(cfn, results),
        lifecycle_checks.log_hygiene_check(cfn, rows, results),
        lifecycle_checks.retention_check(cfn, rows, results),
        lifecycle_checks.erasure_check(sources.catalogue, results),
        lifecycle_checks.backup_check(cfn, sources.catalogue, results),
        lifecycle_checks.backup_plan_check(cfn, sources.catalogue, results),
        lifecycle_checks.alarm_check(cfn, results),
        lifecycle_checks.audit_trail_check(cfn, results),
        lifecycle_checks.catalogue_check(missing, results),
    ]
    return Report(
        generated_at=datetime.now(WARD_TZ),
        city=city,
        rows=rows,
        uncatalogued=missing,
        bookkeeping=sources.bookkeeping,
        functions=functions,
        connections=connections(cfn, sources.catalogue, functions),
        operators=operator_access(cfn, functions),
        checks=checks,
        diagram_svg=render_svg(dot_source(cfn, functions, personal_stores)) if diagram else None,
        results=results,
    )
