"""The staff console's services composed: what functions/staff_api's routers call, built once per
container from the function's clients (`build_staff_console`).

The same services as the CLIs (issue 11): broadcasts are the planner's events (staff_broadcasts), the
rich menu is civicline.richmenu.deployer (staff_richmenu). What the console adds is who asked: every
action is recorded in StaffActions under the token's identity (staff_audit); refusals carry a Japanese
message staff can act on and a kind the HTTP layer turns into a status (staff_refusals).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from civicline.adapters.cognito_sign_in import CognitoSignIn
from civicline.adapters.dynamodb.broadcast_ledger import DynamoBroadcasts
from civicline.adapters.dynamodb.broadcasts_table import BroadcastsTable
from civicline.adapters.dynamodb.data_rights_audit import DynamoDataRightsAudit
from civicline.adapters.dynamodb.staff_actions import DynamoStaffActions
from civicline.adapters.line.client import LineApi
from civicline.adapters.planner_function import PlannerFunction
from civicline.adapters.relink_function import RelinkFunction
from civicline.models.environment import StaffApiEnvironment
from civicline.services.staff_audit import StaffAudit
from civicline.services.staff_broadcasts import StaffBroadcasts
from civicline.services.staff_richmenu import RichMenuModes


@dataclass(frozen=True)
class StaffConsole:
    """Everything the console's routers call, built once per container (`build_staff_console`)."""

    sign_in: CognitoSignIn
    broadcasts: StaffBroadcasts
    rich_menu: RichMenuModes
    audit: StaffAudit


def build_staff_console(
    env: StaffApiEnvironment,
    *,
    dynamodb: Any,
    dynamodb_wire: Any,
    lambda_: Any,
    cognito: Any,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> StaffConsole:
    """The console's services from their clients: the DynamoDB resource and plain client, Lambda (the
    planner), Cognito (sign-in)."""
    audit = StaffAudit(
        actions=DynamoStaffActions(dynamodb.Table(env.staff_actions_table)),
        data_rights=DynamoDataRightsAudit(dynamodb.Table(env.audit_table)),
        clock=clock,
    )
    ledger = DynamoBroadcasts(BroadcastsTable(dynamodb.Table(env.broadcasts_table), dynamodb_wire))
    return StaffConsole(
        sign_in=CognitoSignIn(cognito, env.staff_user_pool_client_id),
        broadcasts=StaffBroadcasts(
            planner=PlannerFunction(lambda_, env.broadcast_planner_function),
            ledger=ledger,
            audit=audit,
            test_recipients=tuple(env.test_recipients),
            clock=clock,
        ),
        rich_menu=RichMenuModes(
            line=LineApi(env),
            audit=audit,
            relink=RelinkFunction(lambda_, env.richmenu_relink_function),
        ),
        audit=audit,
    )
