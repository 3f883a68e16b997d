"""Loading a function's handler module from its folder and calling it like Lambda does (tests, bench)."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]


def load_function_module(function_dir: str, module: str = "app", *, fresh: bool = True) -> ModuleType:
    """functions/<dir>/<module>.py under a unique module name (every function's module is `app`)."""
    path = REPO_ROOT / "functions" / function_dir / f"{module}.py"
    name = f"civicline_fn_{function_dir}_{module}"
    if not fresh and name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    spec.loader.exec_module(loaded)
    return loaded


@dataclass
class FakeLambdaContext:
    """The attributes of LambdaContext that Powertools and our handlers read."""

    function_name: str = "civicline-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = "arn:aws:lambda:ap-northeast-1:123456789012:function:civicline-local"
    log_group_name: str = "/aws/lambda/civicline-local"
    log_stream_name: str = "local"
    remaining_millis: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis
