"""Segmented broadcasts end to end: 100,000 residents in moto, the fake LINE enforcing LINE's limits.

moto runs one server process per service (moto_servers.py, as the fan-out bench: one request at a time
each, so an SQS receive never waits behind a DynamoDB transaction); the planner and 8 warm senders
run here, as the handlers Lambda would invoke. The residents read eight languages (LANGUAGE_MIX, some
with none stored), and each broadcast has a version in every one of them. Two broadcasts to every active
resident: one without faults (calls must be exactly Σ⌈N_version/500⌉, each resident receiving their
own version), one with LINE answering ~10 % 429, ~2 % 5xx and ~1 % "accepted, then the
connection dropped" (nobody twice, nobody missed, the rate limit kept filled). Planner memory and
the access patterns' read units are also measured over a simulated Scan at 100k and 1M residents.

Also holds the Users seeding shared with the integration tests (the item shape of
civicline/adapters/dynamodb/residents.py, with display names, so a projection that leaked them would show).
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from typing import Any

AREAS = [
    "yotsuya",
    "tansu",
    "enoki",
    "wakamatsu",
    "okubo",
    "totsuka",
    "ochiai1",
    "ochiai2",
    "kashiwagi",
    "tsunohazu",
]
GENDERS = ["male", "female", "other"]
GENRES = ["bousai", "kosodate", "kenko", "koreisha", "event", "kurashi", "machi", "kusei", "koho"]
# The residents' languages, per mille: mostly Japanese (some with none stored, as before issue 13),
# then roughly Shinjuku's foreign residents by group (civicline.models.language's eight).
LANGUAGE_MIX: tuple[tuple[str | None, int], ...] = (
    ("ja", 700),
    (None, 100),
    ("zh-Hans", 50),
    ("en", 40),
    ("ko", 35),
    ("ja-easy", 30),
    ("vi", 20),
    ("ne", 15),
    ("my", 10),
)


def resident_language(n: int) -> str | None:
    """Resident n's stored language (None: none stored), spread by n alone: the settings' random
    stream, and so every figure measured before languages existed, stays as it was."""
    draw = ((n * 2654435761) >> 7) % 1000
    for language, share in LANGUAGE_MIX:
        if draw < share:
            return language
        draw -= share
    return None


def user_id(n: int) -> str:
    return f"U{n:032x}"


def resident_item(n: int, rng: random.Random, blocked_share: float = 0.05) -> dict[str, Any]:
    """One Users item (wire format), with settings spread like a real account's (many unanswered)."""
    item: dict[str, Any] = {
        "userId": {"S": user_id(n)},
        "status": {"S": "blocked" if rng.random() < blocked_share else "active"},
        "displayName": {"S": f"住民{n}"},
        "pictureUrl": {"S": f"https://profile.line-scdn.net/{n:x}"},
        "followedAt": {"S": "2025-04-01T09:00:00+09:00"},
        "updatedAt": {"S": "2025-04-01T09:00:00+09:00"},
    }
    language = resident_language(n)
    if language is not None:
        item["language"] = {"S": language}
    if rng.random() < 0.85:
        item["birthYear"] = {"N": str(rng.randint(1930, 2010))}
    if rng.random() < 0.8:
        item["gender"] = {"S": rng.choice(GENDERS)}
    if rng.random() < 0.9:
        item["area"] = {"S": "outside" if rng.random() < 0.08 else rng.choice(AREAS)}
    if rng.random() < 0.7:
        item["genres"] = {"SS": rng.sample(GENRES, rng.randint(1, 4))}
    return item


def resident_items(count: int, seed: int = 7, start: int = 0) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for n in range(start, start + count):
        yield resident_item(n, rng)


def seed_users(client: Any, table_name: str, items: Iterator[dict[str, Any]]) -> int:
    """BatchWriteItem 25 at a time (retrying unprocessed items a bounded number of times)."""
    written = 0
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        requests = [{"PutRequest": {"Item": item}} for item in chunk]
        for _ in range(10):
            answer = client.batch_write_item(RequestItems={table_name: requests})
            requests = answer.get("UnprocessedItems", {}).get(table_name, [])
            if not requests:
                return
        raise RuntimeError("BatchWriteItem kept items unprocessed")

    for item in items:
        chunk.append(item)
        written += 1
        if len(chunk) == 25:
            flush()
            chunk.clear()
    if chunk:
        flush()
    return written


def item_bytes(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it: attribute names plus values (numbers ≈ 1 byte per 2 digits)."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        if "S" in value:
            size += len(value["S"].encode())
        elif "N" in value:
            size += (len(value["N"].lstrip("-").replace(".", "")) + 1) // 2 + 1
        elif "SS" in value:
            size += sum(len(v.encode()) for v in value["SS"]) + 3
    return size


def invoke_quietly(app: Any, event: dict[str, Any], context: Any) -> Any:
    """A function module's handler, then its metrics dropped, as a flush in Lambda would drop them.

    POWERTOOLS_METRICS_DISABLED alone does not keep a warm bench process quiet (Powertools 3.37): a
    disabled flush neither prints nor clears, so the values pile up, and once one metric holds 100
    values `add_metric` prints the whole set as EMF JSON on stdout, whatever the setting says.
    """
    try:
        return app.handler(event, context)
    finally:
        app.metrics.clear_metrics()


def bench_environment(moto_url: str, line_url: str) -> dict[str, str]:
    """What every broadcast bench process sets: moto for AWS, the fake LINE, quiet Powertools."""
    return {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "POWERTOOLS_SERVICE_NAME": "civicline",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_METRICS_NAMESPACE": "Civicline",
        "POWERTOOLS_METRICS_DISABLED": "true",  # no EMF lines on stdout for thousands of invocations
        "LINE_API_HOST": line_url,
    }


# ----------------------------------------------------------------------------- the benchmark

BENCH_RESIDENTS = int(os.environ.get("BENCH_BROADCAST_RESIDENTS", "100000"))
MEMORY_RESIDENTS = tuple(
    int(n) for n in os.environ.get("BENCH_BROADCAST_MEMORY", "100000,1000000").split(",")
)
# LINE's 200/s scaled down to what this 2-core machine serves: moto (one request at a time per
# service) carries a few tens of send cycles/s with 8 senders, so the limit is set well below that.
# What counts is the fraction of the limit the senders keep filled, not the rate.
BENCH_RATE = float(os.environ.get("BENCH_BROADCAST_RATE", "10"))
# The senders' own limit, as deployed: 95 % of LINE's (template: 190 of 200). A limiter running at
# exactly the server's rate meets a 429 whenever a few calls arrive late and bunch up.
SENDER_RATE_SHARE = 0.95
SENDERS = 8
SCAN_SEGMENTS = 4
FAULTS = {"rate_limited": 0.10, "server_error": 0.02, "accepted_then_dropped": 0.01}
SEND_DEADLINE_SECONDS = 300
SENDER_TIMEOUT_MILLIS = 90_000  # BroadcastSenderFunction Timeout
MULTICAST_PATH = "/v2/bot/message/multicast"
VERSIONS = ("ja", "ja-easy", "en", "zh-Hans", "ko", "vi", "ne", "my")  # a version in every language
DEV_TOKEN = "civicline-dev-access-token"  # noqa: S105 (the local stack's published dev token)
REGION = "ap-northeast-1"


def version_text(language: str) -> str:
    return f"ベンチマーク [{language}]"


def _measure(name: str, value: float, unit: str, goal: str, meets: bool | None) -> Any:
    from tools.bench.results import Measure

    return Measure(name=name, value=float(value), unit=unit, goal=goal, meets=meets)


class _DiscardingLedger:
    """A PlannerLedger that keeps only each stream's last checkpoint: the planner's own memory and time,
    without a table."""

    def __init__(self, scan_segments: int) -> None:
        self.scan_segments = scan_segments
        self.kept: dict[Any, Any] = {}

    def create(self, *args: Any, **kwargs: Any) -> bool:
        return True

    def begin(self, broadcast_id: str) -> None:
        return None

    def request(self, broadcast_id: str) -> Any:
        return None

    def plan_state(self, broadcast_id: str) -> Any:
        from civicline.domain.broadcast.planner import PlanState
        from civicline.models.broadcast.checkpoint import PlanCheckpoint

        fresh = PlanCheckpoint()
        from datetime import UTC, datetime

        from civicline.domain.broadcast.streams import TAIL, Stream
        from civicline.models.language import DEFAULT_LANGUAGE
        from civicline.ward_time import ward_date

        checkpoints = {Stream(s): self.kept.get(Stream(s), fresh) for s in range(self.scan_segments)}
        tails = {DEFAULT_LANGUAGE: self.kept.get(Stream(TAIL), fresh)}
        # Sent today: a plan is refused once its send date is past the retry window (REPLAN_LIMIT).
        today = ward_date(datetime.now(UTC)).isoformat()
        return PlanState(self.scan_segments, checkpoints, False, tails, today)

    def acquire_stream(self, broadcast_id: str, stream: Any, *args: Any) -> Any:
        from civicline.models.broadcast.checkpoint import PlanCheckpoint

        return self.kept.get(stream, PlanCheckpoint())

    def save_checkpoint(self, broadcast_id: str, stream: Any, owner: str, cp: Any) -> None:
        self.kept[stream] = cp

    def release_stream(self, *args: Any, **kwargs: Any) -> None:
        return None

    def forget_recipients(self, broadcast_id: str, streams: Any) -> None:
        for stream in streams:
            if stream in self.kept:
                self.kept[stream] = self.kept[stream].model_copy(
                    update={"after": None, "pending": (), "remainder": ()}
                )

    def finish_planning(self, *args: Any, **kwargs: Any) -> None:
        return None

    def try_finalize(self, *args: Any, **kwargs: Any) -> None:
        return None

    def report(self, *args: Any, **kwargs: Any) -> Any:
        """Only what the planner reads of a report (is it cancelled?): never, here."""
        from types import SimpleNamespace

        from civicline.models.broadcast.report import BroadcastStatus

        return SimpleNamespace(status=BroadcastStatus.PLANNED)


class SimulatedScan:
    """Users as a parallel Scan would return them: resident n in segment n mod segments (wire items
    parsed by the audience adapter's own parser), `estimated_size` as DescribeTable would say."""

    def __init__(self, residents: int) -> None:
        self.residents = residents

    def estimated_size(self) -> int:
        return self.residents

    def stream(
        self,
        segment: Any,
        send_year: int,
        scan_segment: int,
        scan_segments: int,
        after: str | None,
        *,
        readers: Any = None,  # every version's readers: the planner keeps each version's own
    ) -> Iterator[Any]:
        from civicline.adapters.dynamodb.audience import _member

        rng = random.Random(scan_segment)
        resume_after = int(after[1:], 16) if after is not None else -1
        for n in range(scan_segment, self.residents, scan_segments):
            item = resident_item(n, rng)
            if n > resume_after and item["status"]["S"] == "active":
                yield _member(item)


def synthetic_plan(residents: int) -> dict[str, float]:
    """The planner over a simulated Scan of `residents` Users items (wire format, parsed as the
    audience adapter parses them), batches enqueued nowhere: peak memory (tracemalloc) and time."""
    import time
    import tracemalloc
    from datetime import UTC, date, datetime, timedelta

    from civicline.domain.broadcast.planner import Lease, plan_broadcast
    from civicline.models.broadcast.request import BroadcastRequest

    request = BroadcastRequest.model_validate(
        {"broadcast_id": "mem", "messages": [{"type": "text", "text": "x"}]}
    )
    enqueued = {"batches": 0}

    def enqueue(batch: Any) -> None:
        enqueued["batches"] += 1

    now = datetime.now(UTC)
    tracemalloc.start()
    started = time.perf_counter()
    plan_broadcast(
        request,
        day=date.today(),
        scan_segments=SCAN_SEGMENTS,
        ledger=_DiscardingLedger(SCAN_SEGMENTS),
        audience=SimulatedScan(residents),
        enqueue=enqueue,
        lease=Lease("bench", now, now + timedelta(minutes=15)),
    )
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"peak_mib": peak / 2**20, "seconds": seconds, "batches": float(enqueued["batches"])}


def access_costs(residents: int) -> dict[str, float]:
    """Read units of each access pattern over a simulated Users table of `residents` items.

    Scan: every item is read whatever the segment (eventually consistent: 0.5 unit per 4 KB, summed
    over 1 MB pages). A sparse GSI on `area` (projecting the settings) would read only the area's items
    for a 四谷 broadcast, and nothing less than the Scan for everyone; it costs one more write unit on
    every Users write that changes an indexed attribute, for ever.
    """
    scanned = 0
    yotsuya = 0
    projected = 0
    for item in resident_items(residents):
        size = item_bytes(item)
        scanned += size
        if item.get("area", {}).get("S") == "yotsuya":
            yotsuya += 1
            kept = {
                k: v
                for k, v in item.items()
                if k in ("userId", "status", "birthYear", "gender", "area", "genres")
            }
            projected += item_bytes(kept) + 100  # GSI items carry a 100-byte index overhead
    return {
        "scan_bytes": float(scanned),
        "scan_read_units": scanned / 4096 / 2,
        "gsi_yotsuya_items": float(yotsuya),
        "gsi_yotsuya_read_units": projected / 4096 / 2,
    }


def _scan_pattern(table_name: str, segments: int, segment: Any) -> dict[str, float]:
    """One audience read with `segments` parallel segments: time, items read and returned, pages."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from civicline.adapters.dynamodb.audience import DynamoAudience
    from civicline.adapters.dynamodb.wire_client import dynamodb_client

    audience = DynamoAudience(dynamodb_client(), table_name)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=segments) as pool:
        counts = list(
            pool.map(
                lambda s: sum(1 for _ in audience.stream(segment, 2026, s, segments, None)), range(segments)
            )
        )
    return {
        "seconds": time.perf_counter() - started,
        "returned": float(sum(counts)),
        "scanned": float(audience.stats.scanned),
        "pages": float(audience.stats.pages),
    }


class _Stack:
    """moto tables and queue, the fake LINE, and the broadcast handlers driven like Lambda drives them."""

    def __init__(self, fake: Any) -> None:
        import threading

        import boto3

        self.fake = fake
        self.dynamodb = boto3.client("dynamodb")
        self.sqs = boto3.client("sqs")
        self.calls: list[float] = []  # when each LINE call started (faulted ones too)
        self._lock = threading.Lock()

    def create(self) -> None:
        import os

        import boto3

        for name, key in (("bench-users", "userId"), ("bench-broadcasts", "broadcastId")):
            self.dynamodb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        # A retried batch waits out its visibility timeout (6x the sender's, as in the template).
        self.queue = self.sqs.create_queue(
            QueueName="bench-broadcast-batches", Attributes={"VisibilityTimeout": "540"}
        )["QueueUrl"]
        os.environ["BROADCAST_BATCHES_QUEUE_URL"] = self.queue
        from devstack.credentials import DEV_CHANNEL_ID, DEV_CHANNEL_SECRET

        secret = boto3.client("secretsmanager").create_secret(
            Name="bench/line",
            SecretString=json.dumps({"channelId": DEV_CHANNEL_ID, "channelSecret": DEV_CHANNEL_SECRET}),
        )
        os.environ["LINE_SECRET_ID"] = secret["ARN"]

    def count_calls(self) -> None:
        import time

        from civicline.adapters.line.multicast import LineMulticast

        real = LineMulticast.__call__

        def counting(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.calls.append(time.perf_counter())
            return real(*args, **kwargs)

        LineMulticast.__call__ = counting  # type: ignore[method-assign]  # every sender container's

    def plan(self, broadcast_id: str) -> dict[str, Any]:
        import uuid
        from dataclasses import replace

        from tests.support.lambda_runtime import FakeLambdaContext, load_function_module

        from civicline.adapters.planning_workers import worker_event

        app = load_function_module("broadcast", "planner")
        worker = load_function_module("broadcast", "plan_worker")

        # The planner's asynchronous worker invocations, run here one after the other: this bench
        # measures the planner's memory (tracemalloc, one thread) and the calls against the minimum;
        # concurrent workers and their timing are broadcast_fanout.py's.
        def start_workers(broadcast_id: str, segments: Any) -> None:
            for segment in segments:
                context = FakeLambdaContext(aws_request_id=str(uuid.uuid4()), remaining_millis=300_000)
                invoke_quietly(worker, worker_event(broadcast_id, segment), context)

        container = vars(app)
        container["planner"] = replace(container["planner"], start_workers=start_workers)
        context = FakeLambdaContext(aws_request_id=str(uuid.uuid4()), remaining_millis=900_000)
        event = {
            "request": {
                "broadcast_id": broadcast_id,
                "messages": [{"type": "text", "text": version_text("ja")}],
                "translations": {
                    language: [{"type": "text", "text": version_text(language)}]
                    for language in VERSIONS
                    if language != "ja"
                },
            }
        }
        result: dict[str, Any] = invoke_quietly(app, event, context)
        return result

    def send_all(self, broadcast_id: str) -> tuple[float, dict[str, Any]]:
        """SENDERS concurrent warm 'containers' drain the queue until the report says done."""
        import threading
        import time

        from tests.support.lambda_runtime import FakeLambdaContext, load_function_module, sqs_record

        stop = threading.Event()
        arn = f"arn:aws:sqs:{REGION}:123456789012:bench-broadcast-batches"

        ready = threading.Barrier(SENDERS + 1)

        def container() -> None:
            # A warm container, as Lambda keeps them during a broadcast: code and SDK loaded, client made.
            app = load_function_module("broadcast", "sender")
            app.line.api_client()
            ready.wait()
            while not stop.is_set():
                got = self.sqs.receive_message(
                    QueueUrl=self.queue, MaxNumberOfMessages=1, AttributeNames=["All"]
                )
                for message in got.get("Messages", []):
                    record = sqs_record(message, arn)
                    context = FakeLambdaContext(remaining_millis=SENDER_TIMEOUT_MILLIS)
                    answer = invoke_quietly(app, {"Records": [record]}, context)
                    if not answer.get("batchItemFailures"):
                        self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])
                if not got.get("Messages"):
                    time.sleep(0.05)

        threads = [threading.Thread(target=container, daemon=True) for _ in range(SENDERS)]
        for thread in threads:
            thread.start()
        ready.wait()
        began = time.perf_counter()
        planner = load_function_module("broadcast", "planner")
        report: dict[str, Any] = {}
        deadline = began + SEND_DEADLINE_SECONDS
        while time.perf_counter() < deadline:
            report = invoke_quietly(planner, {"report": broadcast_id}, FakeLambdaContext())
            if report.get("status") in ("done", "partially_failed"):
                break
            time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        return time.perf_counter() - began, report

    def deliveries(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for request in self.fake.requests(path=MULTICAST_PATH):
            for uid in request["body"]["to"]:
                counts[uid] = counts.get(uid, 0) + 1
        return counts

    def wrong_versions(self, expected: dict[str, str]) -> int:
        """Deliveries of another version than the resident's (per the fake LINE's records)."""
        wrong = 0
        for request in self.fake.requests(path=MULTICAST_PATH):
            text = request["body"]["messages"][0]["text"]
            wrong += sum(version_text(expected.get(uid, "?")) != text for uid in request["body"]["to"])
        return wrong

    def rate_fraction(self) -> float:
        """Calls per second from the first LINE call to the last, as a fraction of the limit."""
        if len(self.calls) < 2:
            return 0.0
        span = self.calls[-1] - self.calls[0]
        return (len(self.calls) - 1) / span / BENCH_RATE if span > 0 else 0.0


def run() -> list[Any]:  # noqa: PLR0915 (one scenario, told in order)
    import logging
    import math
    import os
    import time
    import tracemalloc
    import warnings
    from collections import Counter

    from civicline.models.broadcast.segment import Segment
    from devstack.fake_line import FakeLine
    from tools.bench.moto_servers import MotoServers

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # The report's invocations publish no metrics (and metrics are disabled here): not worth a line each.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    measures: list[Any] = []
    saved_env = dict(os.environ)
    servers = MotoServers()
    with servers as moto_urls:
        fake = FakeLine(
            host="127.0.0.1", port=0, channel_access_token=DEV_TOKEN, rate_limits={"multicast": BENCH_RATE}
        ).start()
        os.environ.update(
            **(bench_environment(moto_urls["secretsmanager"], fake.url) | servers.environment()),
            USERS_TABLE="bench-users",
            BROADCASTS_TABLE="bench-broadcasts",
            BROADCAST_MULTICAST_RATE=str(BENCH_RATE * SENDER_RATE_SHARE),
            BROADCAST_SCAN_SEGMENTS=str(SCAN_SEGMENTS),
            BROADCAST_SCHEDULE_GROUP="bench-broadcasts",
            BROADCAST_SCHEDULER_ROLE_ARN="arn:aws:iam::123456789012:role/bench-scheduler",
            BROADCAST_PLAN_WORKER_FUNCTION="bench-plan-worker",  # run in this process: _Stack.plan
        )
        try:
            stack = _Stack(fake)
            stack.create()
            started = time.perf_counter()
            # Every resident's version: their own language's (all eight have one), none stored = ja.
            versions: dict[str, str] = {}
            for item in resident_items(BENCH_RESIDENTS):
                if item["status"]["S"] == "active":
                    versions[item["userId"]["S"]] = item.get("language", {}).get("S", "ja")
            expected = set(versions)
            seed_users(stack.dynamodb, "bench-users", resident_items(BENCH_RESIDENTS))
            seeded = time.perf_counter() - started
            print(f"  seeded {BENCH_RESIDENTS:,} residents ({len(expected):,} active) in {seeded:.0f} s")

            # -- access pattern: a narrow segment through the same Scan (the filter runs in DynamoDB)
            yotsuya = _scan_pattern(
                "bench-users", SCAN_SEGMENTS, Segment.model_validate({"areas": ["yotsuya"]})
            )
            print(
                f"  scan 四谷 only, {SCAN_SEGMENTS} segments: read {yotsuya['scanned']:,.0f} items in "
                f"{yotsuya['pages']:.0f} pages, returned {yotsuya['returned']:,.0f}, "
                f"{yotsuya['seconds']:.0f} s (moto)"
            )
            per_version = Counter(versions.values())
            minimum = sum(math.ceil(n / 500) for n in per_version.values())
            print(
                f"  versions: {dict(per_version)} → minimum Σ⌈N/500⌉ = {minimum} calls "
                f"(⌈N/500⌉ alone would be {math.ceil(len(expected) / 500)})"
            )
            stack.count_calls()

            # -- without faults: what a broadcast costs, and the planner's memory against moto
            tracemalloc.start()
            started = time.perf_counter()
            planned = stack.plan("bench-clean")
            plan_seconds = time.perf_counter() - started
            _, plan_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(
                f"  planned {planned['batchesPlanned']} batches for {planned['audienceSize']:,} residents in "
                f"{plan_seconds:.0f} s (moto, traced), peak {plan_peak / 2**20:.1f} MiB"
            )
            stack.calls.clear()
            seconds, report = stack.send_all("bench-clean")
            clean_calls, clean_fraction = len(stack.calls), stack.rate_fraction()
            clean = stack.deliveries()
            clean_wrong = stack.wrong_versions(versions)
            clean_duplicates = sum(n - 1 for n in clean.values())
            clean_losses = len(expected - set(clean))
            print(
                f"  clean run: {clean_calls} calls (minimum {minimum}) in {seconds:.1f} s, "
                f"{clean_fraction:.3f} of the rate, status {report.get('status')}, "
                f"retries {report.get('retries')}, wrong versions {clean_wrong}"
            )
            fake.reset()

            # -- with faults: duplicates, losses, throughput against the rate limit
            fake.set_faults({"seed": 2026, "endpoints": {"multicast": FAULTS}})
            started = time.perf_counter()
            stack.plan("bench-faults")
            plan_seconds = time.perf_counter() - started
            stack.calls.clear()
            seconds, report = stack.send_all("bench-faults")
            fault_calls, fault_fraction = len(stack.calls), stack.rate_fraction()
            delivered = stack.deliveries()
            fault_wrong = stack.wrong_versions(versions)
            duplicates = sum(n - 1 for n in delivered.values())
            losses = len(expected - set(delivered))
            print(
                f"  faults run: planned in {plan_seconds:.0f} s; {fault_calls} calls, "
                f"{len(fake.requests(path=MULTICAST_PATH))} accepted, {seconds:.1f} s, "
                f"status {report.get('status')}, retries {report.get('retries')}, "
                f"409s {report.get('alreadyAccepted')}"
            )
        finally:
            fake.stop()
            os.environ.clear()
            os.environ.update(saved_env)

    measures += [
        _measure("broadcast.recipients_targeted", len(expected), "residents", "info", None),
        _measure(
            "broadcast.recipients_delivered",
            len(delivered),
            "residents",
            f"== {len(expected)}",
            len(delivered) == len(expected),
        ),
        _measure("broadcast.line_calls", fault_calls, "calls", f"info (min {minimum})", None),
        _measure("broadcast.minimum_calls", minimum, "calls", "info", None),
        _measure(
            "broadcast.calls_over_minimum",
            clean_calls / minimum,
            "ratio",
            "== 1 (no faults)",
            clean_calls == minimum,
        ),
        _measure("broadcast.rate_fraction", fault_fraction, "of limit", ">= 0.9", fault_fraction >= 0.9),
        _measure("broadcast.rate_fraction_no_faults", clean_fraction, "of limit", "info", None),
        _measure(
            "broadcast.duplicates",
            duplicates + clean_duplicates,
            "residents",
            "== 0",
            duplicates + clean_duplicates == 0,
        ),
        _measure("broadcast.losses", losses + clean_losses, "residents", "== 0", losses + clean_losses == 0),
        _measure(
            "broadcast.wrong_version",
            clean_wrong + fault_wrong,
            "deliveries",
            "== 0",
            clean_wrong + fault_wrong == 0,
        ),
        _measure("broadcast.versions", len(per_version), "languages", "info", None),
        _measure("broadcast.rate_limit", BENCH_RATE, "req/s", "info (LINE: 200)", None),
        _measure(
            "broadcast.planner_moto_peak_mib_100k", plan_peak / 2**20, "MiB", "<= 64", plan_peak / 2**20 <= 64
        ),
        _measure("broadcast.scan_items_read_yotsuya", yotsuya["scanned"], "items", "info", None),
        _measure("broadcast.scan_items_returned_yotsuya", yotsuya["returned"], "items", "info", None),
    ]

    for residents in MEMORY_RESIDENTS:
        planned_alone = synthetic_plan(residents)
        costs = access_costs(residents)
        label = f"{residents // 1000}k" if residents < 1_000_000 else f"{residents // 1_000_000}m"
        print(
            f"  {residents:,} residents (simulated Scan): planner peak {planned_alone['peak_mib']:.1f} MiB, "
            f"{planned_alone['seconds']:.1f} s CPU, {planned_alone['batches']:.0f} batches; full Scan "
            f"{costs['scan_bytes'] / 2**20:.0f} MiB = {costs['scan_read_units']:,.0f} read units; "
            f"GSI query 四谷 {costs['gsi_yotsuya_items']:,.0f} items = "
            f"{costs['gsi_yotsuya_read_units']:,.0f} read units"
        )
        measures += [
            _measure(
                f"broadcast.planner_peak_mib_{label}",
                planned_alone["peak_mib"],
                "MiB",
                "<= 64",
                planned_alone["peak_mib"] <= 64,
            ),
            _measure(f"broadcast.planner_cpu_seconds_{label}", planned_alone["seconds"], "s", "info", None),
            _measure(f"broadcast.scan_read_units_{label}", costs["scan_read_units"], "RCU", "info", None),
            _measure(
                f"broadcast.gsi_yotsuya_read_units_{label}",
                costs["gsi_yotsuya_read_units"],
                "RCU",
                "info",
                None,
            ),
        ]
    return measures


if __name__ == "__main__":
    run()
