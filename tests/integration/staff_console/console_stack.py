"""The staff console's counts and exports against template.yaml's resources in moto: StaffApi's data
routes, ExportFunction's and DashboardRefreshFunction's handlers (invoked in-process where Lambda would
invoke them: moto cannot run functions), the Users table seeded like the broadcast bench seeds it."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from tests.integration.aws_from_template import TemplateAws
from tests.integration.export.export_stack import ExportStack, build_stack
from tests.support.lambda_runtime import FakeLambdaContext, load_function_module
from tests.unit.staff_console.console_fakes import call

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.dynamodb.console_snapshots import DynamoConsoleSnapshots
from civicline.adapters.dynamodb.export_grants import DynamoExportGrants
from civicline.services.staff_console_data import ConsoleData
from tools.bench.broadcast import resident_items, seed_users


class InProcessFunctions:
    """ConsoleFunctions as Lambda Invoke would run them, the handlers loaded as Lambda loads them."""

    def __init__(self, export: ModuleType, refresh: ModuleType) -> None:
        self._export = export
        self._refresh = refresh

    def export(self, grant_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self._export.lambda_handler(
            {"grantId": grant_id}, FakeLambdaContext(remaining_millis=300_000)
        )
        return answer

    def start_refresh(self) -> None:
        self._refresh.lambda_handler({"trigger": "staff"}, FakeLambdaContext())


@dataclass
class ConsoleStack:
    exports: ExportStack
    refresh_handler: ModuleType
    staff_api: ModuleType
    data: ConsoleData

    def seed_residents(self, count: int) -> list[dict[str, Any]]:
        items = list(resident_items(count))
        seed_users(self.exports.dynamodb, self.exports.aws.table("UsersTable"), iter(items))
        return items

    def refresh(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.refresh_handler.lambda_handler(
            {"trigger": "schedule"}, FakeLambdaContext()
        )
        return answer

    def call(self, method: str, path: str, roles: tuple[str, ...], body: Any = None) -> tuple[int, Any]:
        return call(self._handle, method, path, roles, body)

    def _handle(self, event: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = self.staff_api.lambda_handler(event, FakeLambdaContext())
        return answer


def build_console_stack(aws: TemplateAws, monkeypatch: pytest.MonkeyPatch) -> ConsoleStack:
    """StaffApiFunction as deployed, but starting the functions in-process (moto cannot run them)."""
    exports = build_stack(aws)
    refresh = load_function_module("dashboard_refresh")
    staff_api = load_function_module("staff_api")
    table = dynamodb_resource().Table(aws.table("StaffConsoleTable"))
    data = ConsoleData(
        snapshots=DynamoConsoleSnapshots(table),
        grants=DynamoExportGrants(table),
        functions=InProcessFunctions(exports.handler, refresh),
        logger=Logger(),
    )
    monkeypatch.setattr(staff_api, "console_data", data)
    return ConsoleStack(exports=exports, refresh_handler=refresh, staff_api=staff_api, data=data)
