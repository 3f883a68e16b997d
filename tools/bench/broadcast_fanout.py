"""A disaster notice to a million residents (issue 14): request accepted → last batch accepted by LINE.

Every part runs in its own process, as Lambda would run them, all warm (code loaded, clients made):
the planner (functions/broadcast/planner.py), a pool of planning-worker processes that take the
planner's asynchronous invocations (functions/broadcast/plan_worker.py, each over a simulated Users
Scan of its segment), sender processes (functions/broadcast/sender.py, each a few concurrent
"containers"), moto (one server per service, tools/bench/moto_servers.py: Broadcasts, the
broadcast-batches queue, the LINE secret) and the fake LINE, which enforces the
multicast rate, injects today's fault mix and records every accepted request, so duplicates and losses
are counted recipient by recipient. LINE's ~100 ms is added around each call in the senders (half
before LINE records the request, half after).

Scaled, and why the ratio carries over: two shared cores cannot host moto, the fake and the senders
at 200 requests a second. Every accepted batch costs about 275 ms of CPU across all the parts here
(measured and printed at the end of each run: planning workers ~60, senders ~75, moto ~120 for its
~4.5 DynamoDB and 3 SQS requests, the fake LINE ~20), so two idle cores carry about 7 batches a second;
at 200 ÷ 10 = 20/s the run needed 5.5 cores and measured the machine, not the design (ratio 2.07).
So LINE's limit is divided by BENCH_FANOUT_SCALE (40: 5 requests/s, about 1.4 cores; the run prints
the cores it needed as `bench_cores_needed`) and the senders' concurrency with it (the template's 40
at 200/s is 0.2 × the rate, with at least 4: see SENDERS). Sending time, the physical
minimum and the senders' share of it all scale by the same factor; what does not scale down is
planning, which here runs on two shared cores in a few processes instead of 20 one-vCPU workers. So
planning has the same or less slack than in Lambda (its throughput is printed beside LINE's scaled
need), and a ratio met here is met at full rate. In Lambda, moto's and the fake's share is DynamoDB's,
SQS's and LINE's own servers, and each sender and worker has a vCPU of its own.
"""

from __future__ import annotations

import json
import math
import os
import resource
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from devstack.credentials import DEV_CHANNEL_ID, DEV_CHANNEL_SECRET
from tools.bench.broadcast import DEV_TOKEN, REGION, SimulatedScan, bench_environment, invoke_quietly
from tools.bench.moto_servers import CPU, MotoServers, cpu_seconds, stats

# `make bench` runs the disaster notice the issue names, 1,000,000 residents (about 10 minutes here:
# the scaled minimum alone is 380 s); BENCH_FANOUT_RESIDENTS=100000 is a quicker look. The figures are
# named after the size run (_1m, _100k).
RESIDENTS = int(os.environ.get("BENCH_FANOUT_RESIDENTS", "1000000"))
LABEL = f"{RESIDENTS / 1_000_000:g}m" if RESIDENTS >= 1_000_000 else f"{RESIDENTS / 1000:g}k"
LINE_RATE = 200.0  # multicast requests/s per channel
SCALE = float(os.environ.get("BENCH_FANOUT_SCALE", "40"))
RATE = LINE_RATE / SCALE
SENDER_RATE_SHARE = 0.95  # as deployed: BROADCAST_MULTICAST_RATE 190 of 200
LINE_LATENCY_SECONDS = 0.1
# The template's BroadcastSenderConcurrency (40 at 200/s), scaled with the rate; at least 4, because a
# batch takes a sender here about twice as long as in Lambda (moto answers slower than DynamoDB and
# SQS), and the senders must keep the scaled rate filled as 40 keep 200/s there.
SENDERS = max(4, math.ceil(40 / SCALE))
SENDER_PROCESSES = 2
WORKER_PROCESSES = 4  # Lambda would run one per segment at once; two cores host a few
FAULTS = {"rate_limited": 0.10, "server_error": 0.02, "accepted_then_dropped": 0.01}
SENDER_TIMEOUT_MILLIS = 90_000
WORKER_TIMEOUT_MILLIS = 300_000
# Lambda retries a failed asynchronous invocation twice, with the same request id (the lease's owner).
ASYNC_RETRIES = 2
# The staff CLI's report is one read; a transient failure (StoreUnavailable) is asked again, a few times.
REPORT_ATTEMPTS = 5
# Staff look at the report now and then; each look, while planning goes on, reads every segment's
# checkpoint (with its pending batch), which moto parses slowly: not every second, then. The figures
# come from the fake LINE's records, so this only delays noticing the end.
REPORT_INTERVAL_SECONDS = 5.0
MULTICAST_PATH = "/v2/bot/message/multicast"
BROADCAST_ID = "bench-disaster-1m"


def active_residents(residents: int, scan_segments: int) -> set[str]:
    scan = SimulatedScan(residents)
    return {m.user_id for s in range(scan_segments) for m in scan.stream(None, 2026, s, scan_segments, None)}


def _context(remaining_millis: int, request_id: str | None = None) -> Any:
    from tests.support.lambda_runtime import FakeLambdaContext

    return FakeLambdaContext(
        aws_request_id=request_id or str(uuid.uuid4()), remaining_millis=remaining_millis
    )


def _rss_mib() -> float:
    """This process's peak resident memory (VmHWM, MiB).

    Not getrusage's ru_maxrss: Linux carries that across exec, so a spawned worker would start with
    the bench parent's peak (the million expected ids) and show no growth whatever it did.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc: the best there is


def _cpu() -> float:
    """This process's CPU seconds so far (user + system)."""
    times = os.times()
    return times.user + times.system


# ----------------------------------------------------------------------------- the processes


def planner_process(invocations: Any, ready: Any, go: Any, answers: Any) -> None:
    """BroadcastPlannerFunction: its asynchronous worker invocations go to the workers' queue."""
    from dataclasses import replace

    from tests.support.lambda_runtime import load_function_module

    from civicline.adapters.planning_workers import worker_event

    app = load_function_module("broadcast", "planner")

    def start_workers(broadcast_id: str, segments: Any) -> None:
        for segment in segments:
            invocations.put(worker_event(broadcast_id, segment))

    container = vars(app)
    container["planner"] = replace(
        container["planner"], audience=SimulatedScan(RESIDENTS), start_workers=start_workers
    )
    ready.put("planner")
    go.wait()
    accepted = time.time()
    event = {"request": {"broadcast_id": BROADCAST_ID, "messages": [{"type": "text", "text": "避難指示"}]}}
    answer = invoke_quietly(app, event, _context(900_000))
    answers.put(("planner", accepted, time.time() - accepted, answer))


def worker_process(invocations: Any, ready: Any, answers: Any) -> None:
    """A warm BroadcastPlanWorkerFunction container, taking one invocation at a time."""
    from dataclasses import replace

    from tests.support.lambda_runtime import load_function_module

    app = load_function_module("broadcast", "plan_worker")
    container = vars(app)
    container["worker"] = replace(container["worker"], audience=SimulatedScan(RESIDENTS))
    baseline = _rss_mib()  # warm: code loaded, clients made, before any segment
    ready.put("worker")
    busy = 0.0
    while (event := invocations.get()) is not None:
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        for attempt in range(1 + ASYNC_RETRIES):
            try:
                invoke_quietly(app, event, _context(WORKER_TIMEOUT_MILLIS, request_id))
                break
            except Exception as error:  # as Lambda: any failure is retried
                print(f"  worker: segment {event['scanSegment']} attempt {attempt + 1} failed: {error!r}")
        busy += time.perf_counter() - started
    answers.put(("worker", baseline, _rss_mib(), busy, _cpu()))


def sender_process(threads: int, ready: Any, stop: Any, answers: Any) -> None:
    """A few warm BroadcastSenderFunction containers (threads), each polling the queue like Lambda's
    SQS poller (BatchSize 1) and calling LINE with its latency."""
    import threading

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError
    from tests.support.lambda_runtime import load_function_module, sqs_record

    from civicline.adapters.line.multicast import LineMulticast

    real = LineMulticast.__call__

    def with_latency(self: Any, *args: Any, **kwargs: Any) -> Any:
        time.sleep(LINE_LATENCY_SECONDS / 2)
        answer = real(self, *args, **kwargs)
        time.sleep(LINE_LATENCY_SECONDS / 2)
        return answer

    LineMulticast.__call__ = with_latency  # type: ignore[method-assign]
    queue = os.environ["BROADCAST_BATCHES_QUEUE_URL"]
    arn = f"arn:aws:sqs:{REGION}:123456789012:bench-fanout-batches"

    def container() -> None:
        app = load_function_module("broadcast", "sender")
        sqs = boto3.client("sqs")
        app.line.api_client()  # the container's LINE client built before timing starts, as on a warm Lambda
        ready.put("sender")
        while not stop.is_set():
            try:
                got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, AttributeNames=["All"])
                for message in got.get("Messages", []):
                    record = sqs_record(message, arn)
                    answer = invoke_quietly(app, {"Records": [record]}, _context(SENDER_TIMEOUT_MILLIS))
                    if not answer.get("batchItemFailures"):
                        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            except (BotoCoreError, ClientError):
                # Lambda's poller keeps polling; an undeleted message comes again after its timeout.
                got = {}
            if not got.get("Messages"):
                time.sleep(0.1)  # moto serves one request at a time: idle polls would slow everyone

    pool = [threading.Thread(target=container, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    stop.wait()
    for thread in pool:
        thread.join(timeout=30)
    answers.put(("sender", 0.0, 0.0, 0.0, _cpu()))


def fake_line_process(port: int) -> None:
    from devstack.fake_line import FakeLine

    FakeLine(
        host="127.0.0.1",
        port=port,
        channel_access_token=DEV_TOKEN,
        rate_limits={"multicast": RATE},
        faults={"seed": 2026, "endpoints": {"multicast": FAULTS}},
    ).start()
    while True:
        time.sleep(3600)


# ----------------------------------------------------------------------------- the run


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(url: str) -> None:
    for _ in range(1200):  # bounded: two minutes (a spawned interpreter loads the SDK slowly here)
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def _accepted_requests(fake_url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{fake_url}/_sim/requests?path={MULTICAST_PATH}", timeout=120) as answer:  # noqa: S310
        requests: list[dict[str, Any]] = json.load(answer)
        return requests


def _provision() -> None:
    import boto3

    boto3.client("dynamodb").create_table(
        TableName="bench-fanout-broadcasts",
        KeySchema=[{"AttributeName": "broadcastId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "broadcastId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    queue = boto3.client("sqs").create_queue(
        QueueName="bench-fanout-batches", Attributes={"VisibilityTimeout": "540"}
    )["QueueUrl"]
    secret = boto3.client("secretsmanager").create_secret(
        Name="bench/fanout/line",
        SecretString=json.dumps({"channelId": DEV_CHANNEL_ID, "channelSecret": DEV_CHANNEL_SECRET}),
    )
    os.environ.update(BROADCAST_BATCHES_QUEUE_URL=queue, LINE_SECRET_ID=secret["ARN"])


def _report(planner: Any) -> dict[str, Any]:
    """The report as staff would get it: a transient failure is asked again, a bounded number of times."""
    from civicline.domain.errors import RetryableError

    for attempt in range(1, REPORT_ATTEMPTS + 1):
        try:
            report: dict[str, Any] = invoke_quietly(planner, {"report": BROADCAST_ID}, _context(60_000))
            return report
        except RetryableError as error:
            if attempt == REPORT_ATTEMPTS:
                raise
            print(f"  report: attempt {attempt} failed ({error}); asking again")
            time.sleep(2.0 * attempt)
    raise AssertionError("unreachable")


def _at(request: dict[str, Any]) -> float:
    from datetime import datetime

    return datetime.fromisoformat(request["at"].replace("Z", "+00:00")).timestamp()


def run() -> list[Any]:  # noqa: PLR0915 (one scenario, told in order)
    import multiprocessing
    import warnings

    # The report's invocations publish no metrics (and metrics are disabled here): not worth a line each.
    warnings.filterwarnings("ignore", message="No application metrics to publish")

    from civicline.domain.broadcast.planner import scan_segments_for
    from tools.bench.broadcast import _measure

    saved = dict(os.environ)
    spawn = multiprocessing.get_context("spawn")
    processes: list[Any] = []
    segments = scan_segments_for(RESIDENTS)
    expected = active_residents(RESIDENTS, segments)
    minimum_batches = math.ceil(len(expected) / 500)
    minimum_seconds = minimum_batches / RATE
    print(
        f"  {RESIDENTS:,} residents ({len(expected):,} active), {segments} scan segments (workers); "
        f"LINE at {RATE:g}/s (200 ÷ {SCALE:g}), {SENDERS} senders, "
        f"{LINE_LATENCY_SECONDS * 1000:.0f} ms a call"
    )
    servers = MotoServers()
    with servers as moto_urls:
        fake_port = _free_port()
        fake_url = f"http://127.0.0.1:{fake_port}"
        try:
            os.environ.update(bench_environment(moto_urls["secretsmanager"], fake_url))
            os.environ.update(
                **servers.environment(),
                USERS_TABLE="bench-fanout-users",  # simulated: never read from moto
                BROADCASTS_TABLE="bench-fanout-broadcasts",
                BROADCAST_MULTICAST_RATE=str(RATE * SENDER_RATE_SHARE),
                BROADCAST_SCHEDULE_GROUP="bench",
                BROADCAST_SCHEDULER_ROLE_ARN="arn:aws:iam::123456789012:role/bench-scheduler",
                BROADCAST_PLAN_WORKER_FUNCTION="bench-plan-worker",
            )
            _provision()
            from tests.support.lambda_runtime import load_function_module

            reports = load_function_module("broadcast", "planner")  # staff asking for the report
            fake = spawn.Process(target=fake_line_process, args=(fake_port,), daemon=True)
            fake.start()
            processes.append(fake)
            _wait_for(f"{fake_url}/_sim/rate-limits")
            invocations, ready, answers = spawn.Queue(), spawn.Queue(), spawn.Queue()
            go, stop = spawn.Event(), spawn.Event()
            per_process = math.ceil(SENDERS / SENDER_PROCESSES)
            parts = [spawn.Process(target=planner_process, args=(invocations, ready, go, answers))]
            parts += [
                spawn.Process(target=worker_process, args=(invocations, ready, answers))
                for _ in range(WORKER_PROCESSES)
            ]
            parts += [
                spawn.Process(target=sender_process, args=(per_process, ready, stop, answers))
                for _ in range(SENDER_PROCESSES)
            ]
            for part in parts:
                part.start()
            processes += parts
            for _ in range(1 + WORKER_PROCESSES + per_process * SENDER_PROCESSES):
                ready.get(timeout=300)
            go.set()
            kind, accepted, answered_in, answer = answers.get(timeout=300)
            print(
                f"  planner answered in {answered_in:.2f} s (planning complete: "
                f"{answer.get('planningComplete')})"
            )
            # Bounded, with room for a starved machine: past it the figures say what was reached.
            deadline = time.time() + 40 * minimum_seconds + 300
            report: dict[str, Any] = {}
            while time.time() < deadline:
                report = _report(reports)
                if report.get("status") in ("done", "partially_failed"):
                    break
                time.sleep(REPORT_INTERVAL_SECONDS)
            stop.set()
            for _ in range(WORKER_PROCESSES):
                invocations.put(None)
            workers = []
            cpu = dict.fromkeys(("workers", "senders"), 0.0)
            for _ in range(WORKER_PROCESSES + SENDER_PROCESSES):
                kind, *figures, seconds = answers.get(timeout=120)
                cpu[f"{kind}s"] += seconds
                if kind == "worker":
                    workers.append(figures)
            requests = _accepted_requests(fake_url)
            moto_stats = {service: stats(url) for service, url in moto_urls.items()}
            # CPU seconds by part: what the run cost, whatever share of the cores it was given.
            cpu |= {f"moto {service}": cpu_seconds(pid) for service, pid in servers.pids().items()}
            cpu["fake LINE"] = cpu_seconds(fake.pid or 0)
        finally:
            for process in processes:
                process.kill()
            os.environ.clear()
            os.environ.update(saved)

    counts: dict[str, int] = {}
    for request in requests:
        for uid in request["body"]["to"]:
            counts[uid] = counts.get(uid, 0) + 1
    duplicates = sum(n - 1 for n in counts.values())
    losses = len(expected - set(counts))
    moments = sorted(_at(r) for r in requests)
    first = moments[0] - accepted if moments else float("inf")
    e2e = moments[-1] - accepted if moments else float("inf")
    ratio = e2e / minimum_seconds
    planning_busy = sum(busy for _, _, busy in workers)
    worker_growth = max((peak - base for base, peak, _ in workers), default=0.0)
    worker_peak = max((peak for _, peak, _ in workers), default=0.0)
    print(
        f"  {len(requests)} batches accepted (minimum {minimum_batches}); first after {first:.2f} s, "
        f"last after {e2e:.1f} s = {ratio:.2f} × the minimum {minimum_seconds:.1f} s; "
        f"report {report.get('status')}, first/last accepted {report.get('firstBatchAcceptedAt')} / "
        f"{report.get('lastBatchAcceptedAt')}; retries {report.get('retries')}, "
        f"409s {report.get('alreadyAccepted')}"
    )
    for service, figures in moto_stats.items():
        figures.pop(CPU, None)
        busiest = sorted(figures.items(), key=lambda kv: -kv[1][1])[:6]
        print(
            f"  moto {service}: {sum(n for n, _ in figures.values()):,.0f} requests, "
            f"{sum(t for _, t in figures.values()):.1f} s serving (wall): "
            + ", ".join(f"{op} {n:,.0f} / {t:.1f} s" for op, (n, t) in busiest)
        )
    cpu_per_batch = sum(cpu.values()) / max(len(requests), 1)
    print(
        f"  CPU per accepted batch {cpu_per_batch * 1000:.0f} ms ("
        + ", ".join(f"{part} {seconds / max(len(requests), 1) * 1000:.0f}" for part, seconds in cpu.items())
        + f"): two idle cores would carry about {2 / cpu_per_batch:.0f} batches/s; load average "
        + "{:.1f} {:.1f} {:.1f} at the end".format(*os.getloadavg())
    )
    print(
        f"  planning: {planning_busy:.1f} s of worker time in {WORKER_PROCESSES} processes on 2 shared "
        f"cores ({len(expected) / max(planning_busy, 1e-9):,.0f} residents/s per busy worker; the scaled "
        f"LINE takes {RATE * 500:,.0f}/s); worker peak RSS {worker_peak:.0f} MiB, "
        f"{worker_growth:.1f} MiB over warm"
    )
    return [
        _measure(
            f"broadcast.e2e_seconds_{LABEL}",
            e2e,
            "s",
            f"info (min {minimum_seconds:.0f} at {RATE:g}/s)",
            None,
        ),
        _measure(f"broadcast.e2e_ratio_{LABEL}", ratio, "ratio", "<= 1.5", ratio <= 1.5),
        _measure(f"broadcast.first_batch_seconds_{LABEL}", first, "s", "<= 2", first <= 2),
        _measure(f"broadcast.duplicates_{LABEL}", duplicates, "residents", "== 0", duplicates == 0),
        _measure(f"broadcast.losses_{LABEL}", losses, "residents", "== 0", losses == 0),
        _measure(
            f"broadcast.plan_worker_rss_growth_mib_{LABEL}",
            worker_growth,
            "MiB",
            "<= 64 (flat)",
            worker_growth <= 64,
        ),
        _measure(f"broadcast.scan_segments_{LABEL}", segments, "workers", "info (1 per 50k)", None),
        _measure(f"broadcast.rate_limit_{LABEL}", RATE, "req/s", f"info (LINE 200 ÷ {SCALE:g})", None),
        _measure(
            f"broadcast.bench_cpu_ms_per_batch_{LABEL}", cpu_per_batch * 1000, "ms", "info (all parts)", None
        ),
        _measure(
            f"broadcast.bench_cores_needed_{LABEL}",
            cpu_per_batch * RATE,
            "cores",
            "info (< 2: this machine hosted the scaled rate)",
            None,
        ),
    ]


if __name__ == "__main__":
    for measure in run():
        print(measure.line())
