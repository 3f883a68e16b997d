"""RichMenuRelinkFunction: after the staff console switched 通常 ↔ 防災, every resident reading another
language is linked to their language's menu of the mode (civicline.services.richmenu_relink).

Started by StaffApiFunction only, asynchronously (`{"mode", "requestedBy"}`); the composition root of the
relink: the Users scan, LINE's bulk links and the staff-actions record, built once at cold start.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.adapters.dynamodb import dynamodb_resource
from civicline.adapters.dynamodb.resident_languages import DynamoResidentLanguages
from civicline.adapters.dynamodb.staff_actions import DynamoStaffActions
from civicline.adapters.dynamodb.wire_client import dynamodb_client
from civicline.adapters.line.client import LineApi
from civicline.adapters.line.richmenu_links import LineRichMenuLinks
from civicline.models.environment import RichMenuRelinkEnvironment
from civicline.services.richmenu_mode import ResidentMenus
from civicline.services.richmenu_relink import RichMenuRelink

logger = Logger()
env = RichMenuRelinkEnvironment.from_environ()
service = RichMenuRelink(
    residents=DynamoResidentLanguages(dynamodb_client(), env.users_table),
    menus=ResidentMenus(LineRichMenuLinks(LineApi(env).messaging_api)),
    actions=DynamoStaffActions(dynamodb_resource().Table(env.staff_actions_table)),
    clock=lambda: datetime.now(UTC),
)


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcome = service.handle(event)
    # Counts only: never a user id.
    logger.info("residents relinked", extra=outcome)
    return outcome
