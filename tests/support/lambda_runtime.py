"""Loading a function's handler module from its folder and calling it like Lambda does (tests, bench).

Both go through the local stack's runtime pieces (devstack.lambda_runtime), so a handler meets one kind
of context and one loader wherever it runs outside AWS; only the clock differs (see FakeLambdaContext).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from tests.support.repo import REPO_ROOT

from devstack.lambda_runtime import LambdaContext, load_handler_module
from devstack.pollers import SqsEventSource, lambda_record


def load_function_module(function_dir: str, module: str = "app") -> ModuleType:
    """functions/<dir>/<module>.py, imported afresh under a unique name (each function's module is `app`)."""
    return load_handler_module(
        f"civicline_fn_{function_dir}_{module}", REPO_ROOT / "functions" / function_dir / f"{module}.py"
    )


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """A message from ReceiveMessage as Lambda puts it in an SQS event (the local stack's pollers' shape)."""
    source = SqsEventSource(
        logical_id="Test",
        function_id="Test",
        queue_arn=queue_arn,
        queue_url="",
        batch_size=1,
        report_batch_item_failures=True,
    )
    return lambda_record(message, source)


@dataclass
class FakeLambdaContext(LambdaContext):
    """The local stack's context with a stopped clock: the remaining time is what a test says it is.

    A handler that plans its work by the remaining time (the broadcast planner's checkpoints, the
    export's deadline) then does the same thing on every run, however slow the machine.
    """

    function_name: str = "civicline-local"
    invoked_function_arn: str = "arn:aws:lambda:ap-northeast-1:123456789012:function:civicline-local"
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 30
    remaining_millis: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis
