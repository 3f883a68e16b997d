"""The applications export at 1k, 10k and 100k: time, peak memory, KMS calls.

Goals: memory flat (the 100k export's peak ≤ 2× the 1k export's) and ≤ 10 KMS calls per 1,000
applications.

What runs is the real export (`run_export` with the real adapters: the DynamoDB source, the caching
PII decryptor, the S3 multipart writer, the audit table), each size in a fresh process of its own, so
its memory is its own. What answers it:

- KMS, S3 and the Audit table: a moto server. Every applicant's data is sealed for real by intake's
  own `PiiSealer` under a moto KMS key (in two processes: this machine has two cores), and decrypted
  for real by the export.
- The Applications table: a loopback stand-in answering Query (1 MB pages, as DynamoDB pages) and
  TransactWriteItems (with the export's conditions), and passing everything else to moto. moto's own
  query re-sorts the whole index for every page (20,000 items took 48 s here).

The exports are successive watermark exports over one table of 113,000 applications (1,000 three
times, then the next 10,000, then the next 100,000), as the daily export would meet them.

Memory: the export process's peak resident memory during the export (VmHWM, reset just before it
through /proc/self/clear_refs) minus its resident memory at that moment: what the export adds on top
of the imported code, measured without slowing it down (tracemalloc would, about threefold).
"""

from __future__ import annotations

import bisect
import http.client
import json
import logging
import multiprocessing
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tools.bench.results import Measure

SIZES = (1_000, 10_000, 100_000)
# The 1k export, the ratio's baseline, is run three times and its median peak taken: it lasts two
# seconds, and its peak moved by about 1 MiB between runs of the same code (+8.8 / +9.0 / +9.6 / +9.7
# MiB measured; neither MALLOC_ARENA_MAX=1 nor a gc.collect() per page steadied it), so one sample
# measured that luck. Every sample is printed.
BASELINE_RUNS = 3
MEMORY_RATIO_GOAL = 2.0
KMS_PER_1K_GOAL = 10.0
REGION = "ap-northeast-1"
APPLICATIONS_TABLE = "bench-applications"
AUDIT_TABLE = "bench-audit"
BUCKET = "bench-exports"
FORM = "koho_delivery"
PAGE_BYTES = 1024 * 1024  # DynamoDB returns at most 1 MB per Query page
BASE = datetime(2026, 11, 1, tzinfo=UTC)
SEAL_PROCESSES = 2
_REPO = Path(__file__).resolve().parents[2]


class ApplicationsStandIn:
    """The Applications table (and its byFormReceived index) as the export uses it, in memory."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.sizes: dict[str, int] = {}
        self.index: list[tuple[str, str]] = []  # (receivedAt, applicationId), sorted
        self._shared: dict[str, dict[str, str]] = {}

    def add(self, item: dict[str, Any]) -> None:
        application_id = item["applicationId"]["S"]
        self.items[application_id] = item
        if "receivedAt" in item:
            self.sizes[application_id] = len(json.dumps(item))
            self.index.append((item["receivedAt"]["S"], application_id))

    def seal_index(self) -> None:
        self.index.sort()

    def _value(self, value: dict[str, str]) -> dict[str, str]:
        # The same attribute value object for every item: updates do not grow the store.
        key = json.dumps(value, sort_keys=True)
        return self._shared.setdefault(key, value)

    def answer(self, operation: str, body: dict[str, Any]) -> tuple[int, bytes] | None:
        """The answer to one DynamoDB call, or None when it is not about the Applications table."""
        if operation == "TransactWriteItems":
            first = body["TransactItems"][0]
            if next(iter(first.values()))["TableName"] != APPLICATIONS_TABLE:
                return None
            return self._transact(body["TransactItems"])
        if body.get("TableName") != APPLICATIONS_TABLE or operation != "Query":
            return None
        return self._query(body)

    def _transact(self, actions: list[dict[str, Any]]) -> tuple[int, bytes]:
        checks = [
            self._update_allowed(a["Update"]) if "Update" in a else self._delete_allowed(a["Delete"])
            for a in actions
        ]
        if not all(checks):
            reasons = [{"Code": "None"} if ok else {"Code": "ConditionalCheckFailed"} for ok in checks]
            body = {
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "message": "Transaction cancelled",
                "CancellationReasons": reasons,
            }
            return 400, json.dumps(body).encode()
        for action in actions:
            if "Update" in action:
                self._apply_update(action["Update"])
            else:
                self.items.pop(action["Delete"]["Key"]["applicationId"]["S"], None)
        return 200, b"{}"

    def _update_allowed(self, update: dict[str, Any]) -> bool:
        values = update["ExpressionAttributeValues"]
        item = self.items.get(update["Key"]["applicationId"]["S"])
        reclaimable = {v["S"] for k, v in values.items() if k.startswith(":reclaim")}
        return item is not None and (
            item["status"]["S"] == values[":received"]["S"]
            or item.get("exportId", {}).get("S") in reclaimable
        )

    def _apply_update(self, update: dict[str, Any]) -> None:
        values = update["ExpressionAttributeValues"]
        item = self.items[update["Key"]["applicationId"]["S"]]
        item["status"] = self._value(values[":exported"])
        item["exportedAt"] = self._value(values[":at"])
        item["exportId"] = self._value(values[":export"])
        item["purgeAt"] = self._value(values[":purge"])

    def _delete_allowed(self, delete: dict[str, Any]) -> bool:
        guard = self.items.get(delete["Key"]["applicationId"]["S"])
        return guard is None or guard.get("holderId") == delete["ExpressionAttributeValues"][":holder"]

    def _query(self, body: dict[str, Any]) -> tuple[int, bytes]:
        values = body["ExpressionAttributeValues"]
        lower = values.get(":lower", {}).get("S", "")
        upper = values.get(":upper", {}).get("S", "\uffff")
        start = (lower, "")
        if "ExclusiveStartKey" in body:
            key = body["ExclusiveStartKey"]
            start = (key["receivedAt"]["S"], key["applicationId"]["S"] + "\0")
        position = bisect.bisect_left(self.index, start)
        page: list[dict[str, Any]] = []
        size = 0
        last: tuple[str, str] | None = None
        while position < len(self.index) and size < PAGE_BYTES:
            received, application_id = self.index[position]
            position += 1
            if received > upper:
                last = None
                break
            item = self.items.get(application_id)
            last = (received, application_id)
            if item is None:
                continue
            size += self.sizes[application_id]
            if item.get("recordType", {}).get("S") == values[":type"]["S"]:
                page.append(item)
        answer: dict[str, Any] = {"Items": page, "Count": len(page)}
        more = position < len(self.index) and self.index[position][0] <= upper
        if last is not None and more:
            answer["LastEvaluatedKey"] = {
                "applicationId": {"S": last[1]},
                "formId": {"S": FORM},
                "receivedAt": {"S": last[0]},
            }
        return 200, json.dumps(answer).encode()


class _StandInServer:
    """The stand-in on a loopback port; calls it does not answer are relayed to moto as they came."""

    def __init__(self, table: ApplicationsStandIn, moto_url: str) -> None:
        moto = urlsplit(moto_url)
        relay_to = (moto.hostname or "127.0.0.1", moto.port or 80)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                operation = self.headers.get("x-amz-target", "").rsplit(".", 1)[-1]
                answered = table.answer(operation, json.loads(raw or b"{}"))
                if answered is None:
                    answered = self._relay(raw)
                status, body = answered
                self.send_response(status)
                self.send_header("content-type", "application/x-amz-json-1.0")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _relay(self, raw: bytes) -> tuple[int, bytes]:
                connection = http.client.HTTPConnection(*relay_to, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                connection.request("POST", self.path, body=raw, headers=headers)
                response = connection.getresponse()
                return response.status, response.read()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> _StandInServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _aws_environment(moto_url: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "POWERTOOLS_SERVICE_NAME": "civicline",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def _answers(number: int) -> dict[str, str]:
    return {
        "name": f"新宿 太郎{number % 100}",
        "kana": "シンジュク タロウ",
        "postal_code": "160-0022",
        "address": f"新宿区新宿{number % 7 + 1}-{number % 30 + 1}-{number % 9 + 1} ハイツ{number % 500}",
        "phone": f"+8190{number % 100_000_000:08d}",
    }


def _seal_chunk(job: tuple[str, str, list[tuple[str, int]]]) -> list[str]:
    """In a worker process: intake's own sealing of a chunk of applications."""
    key_arn, moto_url, chunk = job
    os.environ.update(_aws_environment(moto_url))
    from civicline.adapters.pii import PiiSealer
    from civicline.models.forms import ApplicantAnswers

    cipher = PiiSealer(key_arn)
    return [
        cipher.seal(ApplicantAnswers(**_answers(number)), application_id, FORM)
        for application_id, number in chunk
    ]


def _received(number: int) -> datetime:
    return BASE + timedelta(milliseconds=number)


def _item(application_id: str, number: int, pii: str) -> dict[str, Any]:
    stamp = _received(number).isoformat(timespec="microseconds")
    return {
        "applicationId": {"S": application_id},
        "recordType": {"S": "application"},
        "formId": {"S": FORM},
        "formVersion": {"N": "1"},
        "kind": {"S": "new"},
        "userId": {"S": f"U{number:032x}"},
        "submittedAt": {"S": stamp},
        "receivedAt": {"S": stamp},
        "receptionNumber": {"S": f"KH-20261101-{number:04d}"},
        "status": {"S": "received"},
        "pii": {"S": pii},
        "piiMasked": {"M": {"name": {"S": "新宿 **"}}},
        "firstEdition": {"S": "2026-12-05"},
    }


def _seed(table: ApplicationsStandIn, key_arn: str, moto_url: str, total: int) -> float:
    started = time.perf_counter()
    ids = [(str(uuid.uuid4()), number) for number in range(1, total + 1)]
    step = 1000
    jobs = [(key_arn, moto_url, ids[i : i + step]) for i in range(0, total, step)]
    with multiprocessing.get_context("spawn").Pool(SEAL_PROCESSES) as pool:
        for job, sealed in zip(jobs, pool.imap(_seal_chunk, jobs), strict=True):
            for (application_id, number), pii in zip(job[2], sealed, strict=True):
                table.add(_item(application_id, number, pii))
                guard = {"S": f"guard#U{number:032x}#{FORM}#new"}
                table.add(
                    {"applicationId": guard, "recordType": {"S": "guard"}, "holderId": {"S": application_id}}
                )
    table.seal_index()
    return time.perf_counter() - started


def _run_child(env: dict[str, str], key_arn: str, up_to: int) -> dict[str, Any]:
    config = json.dumps({"keyArn": key_arn, "now": _received(up_to).isoformat()})
    completed = subprocess.run(
        [sys.executable, "-m", "tools.bench.export", config],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=_REPO,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def run() -> list[Measure]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    moto_url = f"http://{host}:{port}"
    saved = dict(os.environ)
    os.environ.update(_aws_environment(moto_url))
    try:
        return _measure(moto_url)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()


def _measure(moto_url: str) -> list[Measure]:
    import boto3

    key_arn = boto3.client("kms").create_key(Description="bench pii")["KeyMetadata"]["Arn"]
    boto3.client("dynamodb").create_table(
        TableName=AUDIT_TABLE,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
    )
    boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    table = ApplicationsStandIn()
    total = sum(SIZES) + (BASELINE_RUNS - 1) * SIZES[0]
    seeded = _seed(table, key_arn, moto_url, total)
    print(f"  seeded {total} applications (sealed by intake's PiiSealer) in {seeded:.1f} s")
    measures: list[Measure] = []
    peaks: dict[int, float] = {}
    kms_per_1k: list[float] = []
    with _StandInServer(table, moto_url) as stand_in:
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL_DYNAMODB": stand_in.url,
            "PYTHONPATH": os.pathsep.join([str(_REPO / "layers" / "civicline"), str(_REPO)]),
        }
        up_to = 0
        for size in SIZES:
            samples = []
            for _ in range(BASELINE_RUNS if size == SIZES[0] else 1):
                up_to += size
                figures = _run_child(env, key_arn, up_to)
                assert figures["records"] == size, (figures, size)
                kms_per_1k.append(figures["kmsCalls"] * 1000 / size)
                print(
                    f"  {size:>7} applications: {figures['seconds']:7.2f} s, "
                    f"peak +{figures['peakMiB']:6.1f} MiB, "
                    f"{figures['kmsCalls']} KMS calls, {figures['csvMiB']:.1f} MiB CSV"
                )
                samples.append(figures)
            figures = sorted(samples, key=lambda f: float(f["peakMiB"]))[len(samples) // 2]  # the median
            peaks[size] = figures["peakMiB"]
            label = f"{size // 1000}k"
            measures.append(
                Measure(f"export.seconds_{label}", round(figures["seconds"], 2), "s", "informative", None)
            )
            measures.append(
                Measure(f"export.peak_mib_{label}", round(figures["peakMiB"], 1), "MiB", "informative", None)
            )
    ratio = peaks[SIZES[-1]] / peaks[SIZES[0]]
    kms = max(kms_per_1k)
    measures.append(
        Measure(
            "export.memory_ratio_100k_1k",
            round(ratio, 3),
            "ratio",
            f"<= {MEMORY_RATIO_GOAL:g}",
            ratio <= MEMORY_RATIO_GOAL,
        )
    )
    measures.append(
        Measure(
            "export.kms_calls_per_1k",
            round(kms, 3),
            "calls",
            f"<= {KMS_PER_1K_GOAL:g}",
            kms <= KMS_PER_1K_GOAL,
        )
    )
    return measures


# ---------------------------------------------------------------- the export process


def _memory_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _export_once(config: dict[str, Any]) -> dict[str, Any]:
    import gc

    import botocore.session

    from civicline.adapters.dynamodb import dynamodb_resource
    from civicline.adapters.dynamodb.export_audit import DynamoExportAudit
    from civicline.adapters.dynamodb.export_source import DynamoExportSource, export_dynamodb_client
    from civicline.adapters.pii import PiiReader
    from civicline.adapters.s3_export import S3ExportFiles, export_s3_client
    from civicline.domain.export.ports import ExportPorts, Invocation
    from civicline.domain.export.run import run_export
    from civicline.models.export import ExportRequest, ExportTuning

    # The export function's own adapters, built as its composition root builds them.
    pii = PiiReader(config["keyArn"], botocore.session.Session())
    source = DynamoExportSource(export_dynamodb_client(), APPLICATIONS_TABLE)
    files = S3ExportFiles(export_s3_client(REGION), BUCKET)
    ports = ExportPorts(
        applications=source, surveys=source, pii=pii, files=files,
        audit=DynamoExportAudit(dynamodb_resource().Table(AUDIT_TABLE)), notifier=_NoNotice(),
    )  # fmt: skip
    request = ExportRequest.model_validate(
        {"formId": FORM, "requestedBy": {"arn": "arn:aws:iam::1:user/bench"}}
    )
    tuning = ExportTuning.model_validate({"EXPORT_SAFETY_LAG_SECONDS": "0"})
    now = datetime.fromisoformat(config["now"])
    run = Invocation(
        export_id=f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        invocation_id=str(uuid.uuid4()),
        now=now,
        lease_until=now + timedelta(hours=1),
    )
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current resident size
    before = _memory_kib("VmRSS")
    started = time.perf_counter()
    result = run_export(request, ports, tuning, run)
    seconds = time.perf_counter() - started
    peak = _memory_kib("VmHWM") - before
    size = 0
    if result.object_key:
        size = int(files._client.head_object(Bucket=BUCKET, Key=result.object_key)["ContentLength"])
    return {
        "records": result.record_count,
        "seconds": seconds,
        "peakMiB": peak / 1024,
        "kmsCalls": pii.kms_calls,
        "csvMiB": size / 2**20,
    }


class _NoNotice:
    def export_ready(self, result: Any) -> None:
        return


if __name__ == "__main__":
    print(json.dumps(_export_once(json.loads(sys.argv[1]))))
