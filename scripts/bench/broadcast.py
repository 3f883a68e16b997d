"""Segmented broadcasts end to end: 100,000 residents in moto, the fake LINE enforcing LINE's limits.

Also holds the Users seeding shared with the integration tests (the item shape of
civicline/adapters/dynamodb/users.py, with display names, so a projection that leaked them would show).
"""

from __future__ import annotations

import json
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


def user_id(n: int) -> str:
    return f"U{n:032x}"


def resident_item(n: int, rng: random.Random, blocked_share: float = 0.05) -> dict[str, Any]:
    """One Users item (wire format), with settings spread like a real account's (many unanswered)."""
    item: dict[str, Any] = {
        "userId": {"S": user_id(n)},
        "status": {"S": "blocked" if rng.random() < blocked_share else "active"},
        "displayName": {"S": f"住民{n}"},
        "pictureUrl": {"S": f"https://profile.line-scdn.net/{n:x}"},
        "language": {"S": "ja"},
        "followedAt": {"S": "2025-04-01T09:00:00+09:00"},
        "updatedAt": {"S": "2025-04-01T09:00:00+09:00"},
    }
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


# ----------------------------------------------------------------------------- the benchmark

BENCH_RESIDENTS = int(__import__("os").environ.get("BENCH_BROADCAST_RESIDENTS", "100000"))
MEMORY_RESIDENTS = tuple(
    int(n) for n in __import__("os").environ.get("BENCH_BROADCAST_MEMORY", "100000,1000000").split(",")
)
# LINE's 200/s scaled down to what this machine can serve with moto and the fake LINE in one process;
# what counts is the fraction of the limit reached, not the absolute rate.
BENCH_RATE = float(__import__("os").environ.get("BENCH_BROADCAST_RATE", "40"))
SENDERS = 8
FAULTS = {"rate_limited": 0.10, "server_error": 0.02, "accepted_then_dropped": 0.01}
DEADLINE_SECONDS = 600
MULTICAST_PATH = "/v2/bot/message/multicast"
DEV_TOKEN = "civicline-dev-access-token"  # noqa: S105 (the local stack's published dev token)


def _measure(name: str, value: float, unit: str, goal: str, meets: bool | None) -> Any:
    from bench.results import Measure

    return Measure(name=name, value=float(value), unit=unit, goal=goal, meets=meets)


def _synthetic_memory_peak(residents: int) -> float:
    """Planner peak (MiB, tracemalloc) over a synthetic Scan of `residents`, batches discarded."""
    import tracemalloc
    from datetime import UTC, date, datetime, timedelta

    from civicline.domain.broadcast.planner import AudienceMember, Lease, PlanState, plan_broadcast
    from civicline.models.broadcast import BroadcastRequest, PlanCheckpoint
    from civicline.models.resident import ReceptionSettings

    class PagedAudience:
        def stream(self, segment: Any, send_year: int, scan_segment: int, scan_segments: int, after: Any):
            rng = random.Random(scan_segment)
            for n in range(scan_segment, residents, scan_segments):
                yield AudienceMember(
                    user_id(n),
                    ReceptionSettings.model_construct(
                        birth_year=rng.randint(1930, 2010), gender=None, area=rng.choice(AREAS), genres=None
                    ),
                )

    class DiscardingLedger:
        def create(self, *args: Any, **kwargs: Any) -> bool:
            return True

        def acquire_lease(self, *args: Any, **kwargs: Any) -> PlanState:
            return PlanState(4, {s: PlanCheckpoint() for s in range(4)}, False)

        def save_checkpoint(self, *args: Any, **kwargs: Any) -> None:
            return None

        def finish_planning(self, *args: Any, **kwargs: Any) -> None:
            return None

        def release_lease(self, *args: Any, **kwargs: Any) -> None:
            return None

        def try_finalize(self, *args: Any, **kwargs: Any) -> None:
            return None

        def report(self, *args: Any, **kwargs: Any) -> Any:
            return None

    request = BroadcastRequest.model_validate(
        {"broadcast_id": "mem", "messages": [{"type": "text", "text": "x"}]}
    )
    now = datetime.now(UTC)
    tracemalloc.start()
    plan_broadcast(
        request,
        day=date.today(),
        scan_segments=4,
        ledger=DiscardingLedger(),
        audience=PagedAudience(),
        enqueue=lambda batch: None,
        lease=Lease("bench", now, now + timedelta(minutes=15)),
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _scan_pattern(table_name: str, segments: int, segment: Any) -> dict[str, float]:
    """One full audience read with `segments` parallel segments: time, items read and returned."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from civicline.adapters.dynamodb.audience import DynamoAudience

    audience = DynamoAudience(table_name)
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


def run() -> list[Any]:  # noqa: PLR0915 (one scenario, told in order)
    import hashlib
    import logging
    import math
    import os
    import threading
    import time
    import uuid

    import boto3
    from moto.server import ThreadedMotoServer

    from civicline.domain.broadcast.segment import matches
    from civicline.models.broadcast import Segment
    from civicline.models.resident import ReceptionSettings
    from devstack.fake_line import FakeLine
    from devtools.lambda_support import FakeLambdaContext, load_function_module

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    region = "ap-northeast-1"
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    fake = FakeLine(
        host="127.0.0.1",
        port=0,
        channel_access_token=DEV_TOKEN,
        rate_limits={"multicast": BENCH_RATE},
    ).start()
    saved_env = dict(os.environ)
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_DEFAULT_REGION=region,
        AWS_REGION=region,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 (moto)
        POWERTOOLS_SERVICE_NAME="civicline",
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="WARNING",
        LINE_API_HOST=fake.url,
        USERS_TABLE="bench-users",
        BROADCASTS_TABLE="bench-broadcasts",
        BROADCAST_MULTICAST_RATE=str(BENCH_RATE),
        BROADCAST_SCAN_SEGMENTS="4",
        BROADCAST_PLAN_WORKERS="1",
    )
    measures: list[Any] = []
    try:
        dynamodb = boto3.client("dynamodb")
        for name, key in (("bench-users", "userId"), ("bench-broadcasts", "broadcastId")):
            dynamodb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        sqs = boto3.client("sqs")
        queue = sqs.create_queue(QueueName="bench-broadcast-batches", Attributes={"VisibilityTimeout": "2"})[
            "QueueUrl"
        ]
        os.environ["BROADCAST_BATCHES_QUEUE_URL"] = queue
        secret = boto3.client("secretsmanager").create_secret(
            Name="bench/line",
            SecretString=json.dumps(
                {"channelSecret": "civicline-dev-channel-secret", "channelAccessToken": DEV_TOKEN}
            ),
        )
        os.environ["LINE_SECRET_ID"] = secret["ARN"]

        started = time.perf_counter()
        items = list(resident_items(BENCH_RESIDENTS))
        seed_users(dynamodb, "bench-users", iter(items))
        print(f"  seeded {len(items)} residents in {time.perf_counter() - started:.1f} s")
        active = {
            item["userId"]["S"]: ReceptionSettings.model_construct(
                birth_year=int(item["birthYear"]["N"]) if "birthYear" in item else None,
                gender=item.get("gender", {}).get("S"),
                area=item.get("area", {}).get("S"),
                genres=frozenset(item["genres"]["SS"]) if "genres" in item else None,
            )
            for item in items
            if item["status"]["S"] == "active"
        }
        del items

        # -- access pattern: full-table parallel Scan, measured in moto (items read, pages, seconds)
        everyone = Segment()
        yotsuya = Segment.model_validate({"areas": ["yotsuya"]})
        for label, segment in (("everyone", everyone), ("yotsuya", yotsuya)):
            for segments in (1, 4):
                read = _scan_pattern("bench-users", segments, segment)
                print(
                    f"  scan {label:<8} segments={segments}: {read['seconds']:.1f} s, "
                    f"{read['pages']:.0f} pages, "
                    f"scanned {read['scanned']:.0f}, returned {read['returned']:.0f}"
                )
            measures.append(
                _measure(f"broadcast.scan_items_read_{label}", read["scanned"], "items", "info", None)
            )

        counted_calls = {"n": 0}
        call_times: list[float] = []
        lock = threading.Lock()
        from civicline.adapters.line import multicast as multicast_module

        real_multicast = multicast_module.multicast

        def counting_multicast(*args: Any, **kwargs: Any) -> Any:
            with lock:
                counted_calls["n"] += 1
                call_times.append(time.perf_counter())
            return real_multicast(*args, **kwargs)

        multicast_module.multicast = counting_multicast

        def send_all(broadcast_id: str) -> tuple[float, dict[str, Any]]:
            """SENDERS concurrent 'containers' (own module, processor, limiter handle) drain the queue."""
            stop = threading.Event()

            def container() -> None:
                app = load_function_module("broadcast")
                while not stop.is_set():
                    got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, AttributeNames=["All"])
                    for message in got.get("Messages", []):
                        record = {
                            "messageId": message["MessageId"],
                            "receiptHandle": message["ReceiptHandle"],
                            "body": message["Body"],
                            "attributes": message.get("Attributes", {}),
                            "messageAttributes": {},
                            "eventSource": "aws:sqs",
                            "awsRegion": region,
                            "md5OfBody": hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
                            "eventSourceARN": f"arn:aws:sqs:{region}:123456789012:bench-broadcast-batches",
                        }
                        answer = app.send_handler({"Records": [record]}, FakeLambdaContext())
                        if not answer.get("batchItemFailures"):
                            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
                    if not got.get("Messages"):
                        time.sleep(0.05)

            threads = [threading.Thread(target=container, daemon=True) for _ in range(SENDERS)]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            planner = load_function_module("broadcast")
            report: dict[str, Any] = {}
            deadline = began + DEADLINE_SECONDS
            while time.perf_counter() < deadline:
                report = planner.plan_handler({"report": broadcast_id}, FakeLambdaContext())
                if report.get("status") in ("done", "partially_failed"):
                    break
                time.sleep(0.5)
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
            return time.perf_counter() - began, report

        def plan(broadcast_id: str) -> dict[str, Any]:
            app = load_function_module("broadcast")
            context = FakeLambdaContext(aws_request_id=str(uuid.uuid4()), remaining_millis=900_000)
            result: dict[str, Any] = app.plan_handler(
                {
                    "request": {
                        "broadcast_id": broadcast_id,
                        "messages": [{"type": "text", "text": "ベンチマーク"}],
                    }
                },
                context,
            )
            return result

        minimum = math.ceil(len(active) / 500)
        # -- without faults: how many calls a broadcast costs
        started = time.perf_counter()
        planned = plan("bench-clean")
        print(f"  planned {planned['batchesPlanned']} batches in {time.perf_counter() - started:.1f} s")
        counted_calls["n"] = 0
        seconds, report = send_all("bench-clean")
        clean_calls = counted_calls["n"]
        clean_accepted = fake.requests(path=MULTICAST_PATH)
        print(f"  clean run: {clean_calls} calls in {seconds:.1f} s, status {report.get('status')}")
        fake.reset()

        # -- with faults: duplicates, losses, throughput against the rate limit
        fake.set_faults({"seed": 2026, "endpoints": {"multicast": FAULTS}})
        planned = plan("bench-faults")
        counted_calls["n"] = 0
        call_times.clear()
        seconds, report = send_all("bench-faults")
        accepted = fake.requests(path=MULTICAST_PATH)
        fault_calls = counted_calls["n"]
        deliveries: dict[str, int] = {}
        for request in accepted:
            for uid in request["body"]["to"]:
                deliveries[uid] = deliveries.get(uid, 0) + 1
        expected = {uid for uid, s in active.items() if matches(everyone, s, 2026)}
        duplicates = sum(count - 1 for count in deliveries.values())
        losses = len(expected - set(deliveries))
        stamps = sorted(datetime_from(r["at"]) for r in accepted)
        window = max(1e-9, stamps[-1] - stamps[0]) if len(stamps) > 1 else seconds
        # All calls (faulted ones too) count against LINE's limit; measured over the sending window.
        # Measured from the first LINE call to the last, so the senders' start-up is not counted.
        span = call_times[-1] - call_times[0] if len(call_times) > 1 else seconds
        rate_fraction = ((len(call_times) - 1) / span) / BENCH_RATE if span > 0 else 0.0
        accepted_fraction = (len(accepted) / window) / BENCH_RATE
        print(
            f"  faults run: {fault_calls} calls, {len(accepted)} accepted, {seconds:.1f} s, "
            f"status {report.get('status')}, retries {report.get('retries')}, "
            f"409s {report.get('alreadyAccepted')}"
        )

        measures += [
            _measure("broadcast.recipients_targeted", len(expected), "residents", "info", None),
            _measure(
                "broadcast.recipients_delivered",
                len(deliveries),
                "residents",
                f"== {len(expected)}",
                len(deliveries) == len(expected),
            ),
            _measure("broadcast.line_calls", fault_calls, "calls", f"info (min {minimum})", None),
            _measure("broadcast.minimum_calls", minimum, "calls", "info", None),
            _measure(
                "broadcast.calls_over_minimum",
                clean_calls / minimum,
                "ratio",
                "<= 1.02",
                clean_calls / minimum <= 1.02,
            ),
            _measure("broadcast.rate_fraction", rate_fraction, "of limit", ">= 0.9", rate_fraction >= 0.9),
            _measure("broadcast.accepted_rate_fraction", accepted_fraction, "of limit", "info", None),
            _measure("broadcast.duplicates", duplicates, "residents", "== 0", duplicates == 0),
            _measure("broadcast.losses", losses, "residents", "== 0", losses == 0),
            _measure("broadcast.rate_limit", BENCH_RATE, "req/s", "info (LINE: 200)", None),
        ]
        del clean_accepted
    finally:
        fake.stop()
        moto.stop()
        os.environ.clear()
        os.environ.update(saved_env)

    for residents in MEMORY_RESIDENTS:
        peak = _synthetic_memory_peak(residents)
        print(f"  planner peak memory at {residents:,} residents: {peak:.1f} MiB")
        measures.append(
            _measure(f"broadcast.planner_peak_mib_{residents // 1000}k", peak, "MiB", "<= 64", peak <= 64)
        )
    for measure in measures:
        print(measure.line())
    return measures


def datetime_from(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


if __name__ == "__main__":
    run()
