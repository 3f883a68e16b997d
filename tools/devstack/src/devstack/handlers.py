"""The template's Lambda functions, loaded from their code folders and invoked in-process.

Each function's module is loaded by file path under a unique module name, so two functions that share
a file (the broadcast planner and sender) get separate module state, as separate Lambda sandboxes do.

Logs: Powertools' Logger builds its StreamHandler around whatever `sys.stdout` is when the Logger is
created, and every function of the stack shares one process. So `sys.stdout`/`sys.stderr` are
replaced, before any handler is imported, by a stream that writes to the calling thread's current
target: the function's own log file (`<log-dir>/<LogicalId>.log`) while that thread runs a handler,
the real console otherwise. A thread-local target (rather than `contextlib.redirect_stdout`, which
swaps a process-wide global) keeps concurrent invocations of different functions apart. Each function
runs one invocation at a time (its own lock, like reserved concurrency 1): module-level state such as
Powertools' appended log keys is not safe to share between simultaneous invocations in one process.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

from devstack.activity import ActivityTracker
from devstack.lambda_runtime import LambdaContext, load_handler_module
from devstack.resolve import arn

log = logging.getLogger("devstack.handlers")


class _LockedFile:
    """A line-buffered text file that several threads may write to."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8", buffering=1)
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            return self._file.write(text)

    def flush(self) -> None:
        with self._lock:
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


class ThreadRoutedStream(io.TextIOBase):
    """Stands in for sys.stdout/sys.stderr: each thread writes where it was last routed."""

    def __init__(self, default: TextIO) -> None:
        super().__init__()
        self._default = default
        self._local = threading.local()

    @property
    def default(self) -> TextIO:
        return self._default

    def _target(self) -> Any:
        return getattr(self._local, "target", None) or self._default

    def write(self, text: str) -> int:
        return int(self._target().write(text) or 0)

    def flush(self) -> None:
        self._target().flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @contextmanager
    def routed_to(self, target: Any) -> Iterator[None]:
        previous = getattr(self._local, "target", None)
        self._local.target = target
        try:
            yield
        finally:
            self._local.target = previous


class LogRouting:
    """Installs the routed stdout/stderr for the stack's lifetime and owns the per-function files."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._files: dict[str, _LockedFile] = {}
        self._lock = threading.Lock()
        self.stdout: ThreadRoutedStream | None = None
        self.stderr: ThreadRoutedStream | None = None
        self._rebound: list[tuple[logging.StreamHandler[Any], Any]] = []

    def install(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.stdout = ThreadRoutedStream(sys.stdout)
        self.stderr = ThreadRoutedStream(sys.stderr)
        sys.stdout = self.stdout
        sys.stderr = self.stderr

    def rebind_existing_handlers(self) -> None:
        """Loggers created before install() (e.g. a Powertools Logger imported early) hold the real
        console; point their stream handlers at the routed streams too."""
        assert self.stdout is not None
        assert self.stderr is not None
        streams = {id(self.stdout.default): self.stdout, id(self.stderr.default): self.stderr}
        loggers = [logging.getLogger()] + [
            item for item in logging.Logger.manager.loggerDict.values() if isinstance(item, logging.Logger)
        ]
        for logger in loggers:
            for handler in logger.handlers:
                if not isinstance(handler, logging.StreamHandler):
                    continue
                if isinstance(handler.stream, ThreadRoutedStream):  # left by an earlier stack in this process
                    target: ThreadRoutedStream | None = self.stdout
                else:
                    target = streams.get(id(handler.stream))
                if target is not None and target is not handler.stream:
                    self._rebound.append((handler, handler.stream))
                    handler.setStream(target)

    def uninstall(self) -> None:
        for handler, stream in self._rebound:
            handler.setStream(stream)
        self._rebound.clear()
        if self.stdout is not None and sys.stdout is self.stdout:
            sys.stdout = self.stdout.default
        if self.stderr is not None and sys.stderr is self.stderr:
            sys.stderr = self.stderr.default
        with self._lock:
            for file in self._files.values():
                file.close()
            self._files.clear()

    def file_for(self, name: str) -> _LockedFile:
        with self._lock:
            if name not in self._files:
                self._files[name] = _LockedFile(self.log_dir / f"{name}.log")
            return self._files[name]

    @contextmanager
    def routed_to(self, name: str) -> Iterator[_LockedFile]:
        target = self.file_for(name)
        assert self.stdout is not None
        assert self.stderr is not None
        with self.stdout.routed_to(target), self.stderr.routed_to(target):
            yield target


class FunctionLoadError(Exception):
    """A function's handler could not be imported."""


@dataclass
class FunctionError(Exception):
    """A handler raised: the shape Lambda reports as an Unhandled function error."""

    error_type: str
    error_message: str
    stack_trace: list[str]

    def payload(self) -> dict[str, Any]:
        return {
            "errorMessage": self.error_message,
            "errorType": self.error_type,
            "requestId": "",
            "stackTrace": self.stack_trace,
        }


class LocalFunction:
    """One AWS::Lambda::Function of the translated template."""

    def __init__(
        self,
        logical_id: str,
        name: str,
        handler: str,
        code_dir: Path,
        *,
        timeout: int,
        memory: int,
        logs: LogRouting,
        activity: ActivityTracker,
    ) -> None:
        self.logical_id = logical_id
        self.name = name
        self.arn = arn("lambda", f"function:{name}")
        self.handler = handler
        self.code_dir = code_dir
        self.timeout = timeout
        self.memory = memory
        self._logs = logs
        self._activity = activity
        self._lock = threading.Lock()
        self._callable: Callable[[Any, Any], Any] | None = None
        self.module: ModuleType | None = None
        self.load_error: str | None = None

    @property
    def module_name(self) -> str:
        module = self.handler.rsplit(".", 1)[0]
        return f"devstack_function_{self.logical_id}_{module.replace('.', '_').replace('/', '_')}"

    def load(self) -> None:
        """Imports the handler's module (as the Lambda runtime's init phase would) into the log file."""
        module_path, function_name = self.handler.rsplit(".", 1)
        source = self.code_dir / (module_path.replace(".", "/") + ".py")
        try:
            with self._logs.routed_to(self.logical_id):
                self.module = load_handler_module(self.module_name, source, self.code_dir)
                self._callable = getattr(self.module, function_name)
        except Exception as error:
            self.load_error = f"{type(error).__name__}: {error}"
            with self._logs.routed_to(self.logical_id) as log_file:
                log_file.write(f"INIT_FAILURE {self.load_error}\n{traceback.format_exc()}")
            raise FunctionLoadError(f"cannot load {self.handler}: {self.load_error}") from error

    def unload(self) -> None:
        sys.modules.pop(self.module_name, None)

    def invoke(self, event: Any) -> Any:
        """Runs the handler once; raises FunctionError when it raises (output goes to its log file)."""
        if self._callable is None:
            raise FunctionError("Runtime.ImportModuleError", self.load_error or "not loaded", [])
        with self._activity(), self._lock, self._logs.routed_to(self.logical_id) as log_file:
            context = LambdaContext(
                function_name=self.name,
                invoked_function_arn=self.arn,
                memory_limit_in_mb=self.memory,
                timeout_seconds=self.timeout,
            )
            log_file.write(f"START RequestId: {context.aws_request_id} Version: $LATEST\n")
            started = time.monotonic()
            try:
                return self._callable(event, context)
            except Exception as error:
                frames = traceback.format_tb(error.__traceback__)
                log_file.write(
                    f"[ERROR] {type(error).__name__} RequestId: {context.aws_request_id}\n" + "".join(frames)
                )
                raise FunctionError(type(error).__name__, str(error), [f.strip() for f in frames]) from error
            finally:
                duration = (time.monotonic() - started) * 1000
                log_file.write(f"END RequestId: {context.aws_request_id}\n")
                log_file.write(f"REPORT RequestId: {context.aws_request_id} Duration: {duration:.2f} ms\n")
