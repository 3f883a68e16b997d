"""The webhook's cold-start budget and warm latency.

LINE gives up after 2 s. The cold path (a fresh process importing the handler and handling one signed
10-event request) is compared with a fresh process doing `import boto3` and creating an SQS client,
measured side by side, alternating, in the same run: the ratio, not the seconds, is what carries over
from this shared, noisy machine to Lambda.

The cold path is measured twice: from the source tree (bytecode cached in __pycache__, as on a
developer's machine) and from `make build`'s artefact as Lambda runs it: the layer's own packages only
(`python -S`, no virtualenv), and no bytecode written, since /opt is read-only in Lambda. A layer shipped
without .pyc recompiles on every cold start; `make build` precompiles it, and this figure shows whether it
did. The built layer holds arm64 wheels; the webhook's path imports none of their native code, so it runs
here on x86-64 too.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.lambda_runtime import FakeLambdaContext, load_function_module
from tests.support.repo import REPO_ROOT

from devstack.credentials import DEV_CHANNEL_ID, DEV_CHANNEL_SECRET
from devstack.webhook_events import body_of, http_api_event, sign, text_event
from tools.bench.aws_stub import AwsStub
from tools.bench.results import Measure

COLD_RUNS = 9
WARM_RUNS = 300
COLD_RATIO_GOAL = 1.5

_BASELINE = "import boto3\nboto3.client('sqs')\n"
_COLD_PATH = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("webhook_app", sys.argv[1])
app = importlib.util.module_from_spec(spec); spec.loader.exec_module(app)
from tests.support.lambda_runtime import FakeLambdaContext
response = app.lambda_handler(json.load(open(sys.argv[2])), FakeLambdaContext())
assert response["statusCode"] == 200, response
"""
# The built layer alone on the path: no devtools, so the Lambda context is a stand-in defined here.
_BUILT_COLD_PATH = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
app = importlib.util.module_from_spec(spec); spec.loader.exec_module(app)
class Context:
    function_name = "civicline-bench"; function_version = "$LATEST"; memory_limit_in_mb = 512
    aws_request_id = "bench"; log_group_name = "bench"; log_stream_name = "bench"
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:civicline-bench"
    def get_remaining_time_in_millis(self): return 30000
response = app.lambda_handler(json.load(open(sys.argv[2])), Context())
assert response["statusCode"] == 200, response
"""
BUILD_DIR = REPO_ROOT / ".aws-sam" / "build"
BUILT_LAYER = BUILD_DIR / "CiviclineLayer" / "python"
BUILT_HANDLER = BUILD_DIR / "WebhookFunction" / "app.py"


def ten_event_request() -> dict[str, Any]:
    events = [text_event(f"U{i:032x}", f"reply-token-{i}", f"お知らせ {i}") for i in range(10)]
    body = body_of(events)
    return http_api_event(body, sign(DEV_CHANNEL_SECRET, body))


def _environment(stub_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AWS_ENDPOINT_URL": stub_url,
            "AWS_DEFAULT_REGION": "ap-northeast-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "EVENTS_QUEUE_URL": f"{stub_url}/123456789012/civicline-events.fifo",
            "LINE_SECRET_ID": "civicline-line",
            "POWERTOOLS_SERVICE_NAME": "civicline",
            "POWERTOOLS_METRICS_NAMESPACE": "Civicline",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "layers" / "civicline"), str(REPO_ROOT)]),
            "PYTHONDONTWRITEBYTECODE": "",
        }
    )
    return env


def _wall_seconds(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _built_environment(env: dict[str, str]) -> dict[str, str]:
    return {**env, "PYTHONPATH": str(BUILT_LAYER), "PYTHONDONTWRITEBYTECODE": "1"}


def cold_ratios() -> dict[str, float]:
    """Medians in s of the cold path from source, from the built artefact (if built) and the baseline."""
    secret = json.dumps({"channelId": DEV_CHANNEL_ID, "channelSecret": DEV_CHANNEL_SECRET})
    handler_path = str(REPO_ROOT / "functions" / "webhook" / "app.py")
    with AwsStub(secret) as stub, tempfile.TemporaryDirectory() as scratch:
        event_file = Path(scratch) / "event.json"
        event_file.write_text(json.dumps(ten_event_request()))
        env = _environment(stub.url)
        python = sys.executable
        runs: dict[str, tuple[list[str], dict[str, str]]] = {
            "source": ([python, "-c", _COLD_PATH, handler_path, str(event_file)], env),
            "baseline": ([python, "-c", _BASELINE], env),
        }
        if BUILT_HANDLER.exists() and BUILT_LAYER.is_dir():
            built = [python, "-S", "-c", _BUILT_COLD_PATH, str(BUILT_HANDLER), str(event_file)]
            runs["built"] = (built, _built_environment(env))
        # One untimed run of each fills the OS page cache (and writes the source tree's .pyc files).
        for args, run_env in runs.values():
            _wall_seconds(args, run_env)
        timings: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(COLD_RUNS):
            for name, (args, run_env) in runs.items():
                timings[name].append(_wall_seconds(args, run_env))
        if stub.sqs_calls < COLD_RUNS * (len(runs) - 1):
            raise RuntimeError("the cold path did not reach the SQS stub")
    return {name: statistics.median(values) for name, values in timings.items()}


class _AcceptingSqs:
    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}


def warm_median_ms() -> float:
    secret = json.dumps({"channelId": DEV_CHANNEL_ID, "channelSecret": DEV_CHANNEL_SECRET})
    with AwsStub(secret) as stub:
        saved = dict(os.environ)
        os.environ.update({k: v for k, v in _environment(stub.url).items() if k != "PYTHONPATH"})
        try:
            timings = _time_warm_requests()
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return statistics.median(timings)


def _time_warm_requests() -> list[float]:
    # Left open: the service logger stays bound to it, and later benchmarks in this process log through it.
    devnull = open(os.devnull, "w")  # noqa: SIM115 - the handler's log lines are not the figure
    stdout, sys.stdout = sys.stdout, devnull  # before loading: the Logger binds to stdout at import
    try:
        app = load_function_module("webhook")
        from civicline.adapters.sqs.events_queue import EventsQueue

        app.__dict__["_QUEUE"] = EventsQueue(_AcceptingSqs(), "stub")  # our own work is the figure
        request, context = ten_event_request(), FakeLambdaContext()
        app.lambda_handler(request, context)  # warms the secret cache, as any warm container has
        timings = []
        for _ in range(WARM_RUNS):
            started = time.perf_counter()
            app.lambda_handler(request, context)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        sys.stdout = stdout
    return timings


def _ratio_measure(name: str, ratio: float) -> Measure:
    return Measure(name, round(ratio, 3), "ratio", f"<= {COLD_RATIO_GOAL}", ratio <= COLD_RATIO_GOAL)


def run() -> list[Measure]:
    medians = cold_ratios()
    cold, base = medians["source"], medians["baseline"]
    print(f"  webhook cold path {cold * 1000:.0f} ms vs import boto3 + SQS client {base * 1000:.0f} ms")
    measures = [
        _ratio_measure("webhook.cold_ratio", cold / base),
        Measure("webhook.cold_ms", round(cold * 1000, 1), "ms", "informative", None),
    ]
    if "built" in medians:
        built = medians["built"]
        print(f"  webhook cold path from the built artefact (.aws-sam/build) {built * 1000:.0f} ms")
        measures += [
            _ratio_measure("webhook.cold_ratio_built", built / base),
            Measure("webhook.cold_built_ms", round(built * 1000, 1), "ms", "informative", None),
        ]
    else:
        print("  webhook.cold_ratio_built skipped: no .aws-sam/build (run `make build` first; it needs PyPI)")
    warm = warm_median_ms()
    return [
        *measures,
        Measure("webhook.baseline_boto3_sqs_ms", round(base * 1000, 1), "ms", "informative", None),
        Measure("webhook.warm_median_ms", round(warm, 3), "ms", "informative", None),
    ]
