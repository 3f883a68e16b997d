"""`python -m devstack` (`make local`): the whole stack in the foreground until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from devstack.handlers import FunctionError
from devstack.resolve import TemplateError
from devstack.sam_template import TEMPLATE_PATH
from devstack.stack import DEFAULT_LOG_DIR, EnvironmentConflictError, LocalStack


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m devstack",
        description="Run civicline's template.yaml on this machine: moto, the HTTP API, SQS pollers, "
        "a fake LINE API and a Lambda Invoke endpoint.",
    )
    parser.add_argument("--template", type=Path, default=TEMPLATE_PATH, help="SAM template (template.yaml)")
    parser.add_argument("--host", default="127.0.0.1", help="address every server binds to")
    parser.add_argument(
        "--moto-port", type=int, default=5000, help="moto server (AWS APIs); 0 = any free port"
    )
    parser.add_argument("--api-port", type=int, default=3000, help="the HttpApi routes (POST /webhook)")
    parser.add_argument("--line-port", type=int, default=3001, help="the fake LINE Messaging API")
    parser.add_argument(
        "--invoke-port", type=int, default=3002, help="Lambda Invoke API and /_devstack controls"
    )
    parser.add_argument("--log-dir", type=Path, default=DEFAULT_LOG_DIR, help="one log file per function")
    parser.add_argument(
        "--retry-backoff",
        type=int,
        default=1,
        help="seconds a failed SQS record stays invisible before its retry "
        "(in AWS: the queue's visibility timeout)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stack = LocalStack(
        args.template,
        host=args.host,
        moto_port=args.moto_port,
        api_port=args.api_port,
        line_port=args.line_port,
        invoke_port=args.invoke_port,
        log_dir=args.log_dir,
        retry_backoff_seconds=args.retry_backoff,
    )
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        stack.start()
    except (EnvironmentConflictError, TemplateError, FunctionError, OSError) as error:
        print(f"civicline local stack did not start: {error}", file=sys.stderr, flush=True)
        return 2
    try:
        print("civicline local stack is up (Ctrl-C stops it)", flush=True)
        for line in stack.summary_lines():
            print(f"  {line}", flush=True)
        while not stopping.wait(0.5):
            pass
        print("stopping the local stack...", flush=True)
    finally:
        stack.stop()
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
