"""StaffApiFunction against template.yaml's resources in moto: the staff pool (seeded with the four dev
users), Broadcasts, StaffActions, the fake LINE; the planner and sender run in-process (BroadcastStack).

The function is loaded fresh per test; only its Lambda client is swapped for one that runs the planner
here and now (moto cannot run functions without Docker). Sign-in goes to moto's Cognito for real.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

import pytest
from tests.integration.aws_from_template import TemplateAws
from tests.integration.broadcast.broadcast_stack import BroadcastStack
from tests.support.lambda_runtime import FakeLambdaContext, load_function_module
from tests.support.staff_api_events import answer_json, http_event

from civicline.adapters.planner_function import PlannerFunction
from civicline.adapters.relink_function import RelinkFunction
from devstack.cognito import DEV_STAFF_PASSWORD, seed_dev_staff
from devstack.fake_line import FakeLine

TEST_RECIPIENT = "U" + "f" * 32


class PlannerInProcess:
    """The console's Lambda client, as far as it is used: a synchronous invoke of the planner."""

    def __init__(self, stack: BroadcastStack) -> None:
        self._stack = stack

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
        answer = self._stack.invoke_planner(json.loads(Payload))
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(answer).encode())}


class RelinkInProcess:
    """The console's Lambda client for the asynchronous start of RichMenuRelinkFunction: the function
    (loaded fresh, on the same moto and fake LINE) runs here, before the switch answers."""

    def __init__(self) -> None:
        self.module = load_function_module("richmenu_relink")
        self.outcomes: list[dict[str, Any]] = []

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        assert InvocationType == "Event"  # never waited for: a relink outlasts the HTTP API
        self.outcomes.append(self.module.lambda_handler(json.loads(Payload), FakeLambdaContext()))
        return {"StatusCode": 202}


def api_claims(id_token: str) -> dict[str, str]:
    """What the HTTP API's JWT authorizer hands on from a verified ID token: every claim as a string,
    arrays flattened to "[a b]" (the local stack's authorizer emulation does the same)."""
    payload = id_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return {
        name: f"[{' '.join(value)}]" if isinstance(value, list) else str(value)
        for name, value in claims.items()
    }


@dataclass
class StaffConsoleStack:
    aws: TemplateAws
    broadcasts: BroadcastStack
    module: ModuleType
    relinks: RelinkInProcess

    def call(self, event: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = self.module.lambda_handler(event, FakeLambdaContext())
        return answer

    def sign_in(self, username: str) -> dict[str, Any]:
        body = {"username": username, "password": DEV_STAFF_PASSWORD}
        answer = self.call(http_event("POST", "/staff/api/auth/sign-in", body))
        assert answer["statusCode"] == 200, answer["body"]
        tokens: dict[str, Any] = answer_json(answer)["tokens"]
        return tokens

    def as_user(self, username: str) -> dict[str, str]:
        """The claims a signed-in member of staff's requests carry."""
        return api_claims(self.sign_in(username)["idToken"])


@pytest.fixture
def aws_overrides(fake_line: FakeLine) -> dict[str, str]:
    return {
        "LINE_API_HOST": fake_line.url,
        "BROADCAST_SCAN_SEGMENTS": "1",
        "STAFF_TEST_RECIPIENTS": TEST_RECIPIENT,
    }


@pytest.fixture
def console(aws: TemplateAws, fake_line: FakeLine) -> StaffConsoleStack:
    fake_line.reset(users=True)
    seed_dev_staff(aws.client("cognito-idp"), aws.user_pool("StaffUserPool"))
    broadcasts = BroadcastStack(fake=fake_line, aws=aws)
    module = load_function_module("staff_api")
    container = vars(module)
    planner = PlannerFunction(PlannerInProcess(broadcasts), "BroadcastPlannerFunction")
    relinks = RelinkInProcess()
    console = container["console"]
    container["console"] = replace(
        console,
        broadcasts=replace(console.broadcasts, planner=planner),
        rich_menu=replace(console.rich_menu, relink=RelinkFunction(relinks, "RichMenuRelinkFunction")),
    )
    return StaffConsoleStack(aws=aws, broadcasts=broadcasts, module=module, relinks=relinks)
