"""What the Lambda Python runtime gives a handler: its context object, its module loaded from its folder.

The local stack runs every function through these; civicline's tests and benchmarks do too (through
tests/support), so a handler sees one kind of context wherever it runs outside AWS.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any


@dataclass
class LambdaContext:
    """The attributes of Lambda's Python context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    identity: Any = None
    client_context: Any = None
    _started: float = field(default_factory=time.monotonic)

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"{time.strftime('%Y/%m/%d')}/[$LATEST]{self.aws_request_id.replace('-', '')}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


def load_handler_module(name: str, source: Path, code_dir: Path | None = None) -> ModuleType:
    """`source` imported under the unique module `name` (every function's module is often `app`).

    The code folder is the root of the deployment package: while the module runs its imports, sibling
    modules resolve from it, as in Lambda.
    """
    spec = importlib.util.spec_from_file_location(name, source)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(str(source))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    root = str(code_dir if code_dir is not None else source.parent)
    sys.path.insert(0, root)
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        sys.path.remove(root)
    return module
