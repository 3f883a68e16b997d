"""moto for the broadcast benches: one server process per AWS service, each counting its requests.

Why one process per service: moto's backends are not written for concurrent requests (a conditional
UpdateItem checks, then writes), so each server serves one request at a time; in one process that
lock made every SQS receive wait behind every DynamoDB transaction, on one core. Apart, DynamoDB,
SQS and Secrets Manager each take their own core's share and only wait on their own kind. boto3
sends each service to its own server through AWS_ENDPOINT_URL_<SERVICE>.

Why transactions are patched (DynamoDB only, in this process only): moto 5's TransactWriteItems
deep-copies every table it touches to roll back a cancelled transaction, so each batch the senders
count cost O(table) — the Broadcasts table grows by a batch marker per batch and a rate-limit window
every fraction of a second, so at a million residents each count copied thousands of items. Here a
transaction keeps a copy of the items it targets only and puts those back when it is cancelled.
Under the server's lock that is exactly DynamoDB's all-or-nothing on the transaction's own items
(the whole-table restore, besides, undid other requests' writes when requests ran concurrently).
Conditions, update expressions and cancellation reasons remain moto's own code.

Each server answers GET /_bench/stats with {operation: [requests, seconds]} (X-Amz-Target or Action;
seconds of wall time under the lock) and its own CPU seconds, so a bench can say where the emulated
AWS spends its time, and how much of it is CPU rather than waiting for a core.
BENCH_MOTO_PROFILE=<dir> also runs each server under cProfile and writes <dir>/<service>.prof when
it is stopped.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

SERVICES = ("dynamodb", "sqs", "secretsmanager")
STATS_PATH = "/_bench/stats"
CPU = "(process CPU)"  # in the stats: the server's own CPU seconds so far, beside its operations


def _operation(environ: dict[str, Any]) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return str(target.rsplit(".", 1)[-1])
    query = environ.get("QUERY_STRING", "")
    for part in query.split("&"):
        if part.startswith("Action="):
            return part.removeprefix("Action=")
    return f"{environ.get('REQUEST_METHOD', '?')} {environ.get('PATH_INFO', '')}"


def item_scoped_transactions() -> None:
    """TransactWriteItems that backs up and restores only its own items (see the module's docstring)."""
    import copy

    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    whole_table = DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        kept = []
        for entry in transact_items:
            op = next(iter(entry.values()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue  # moto answers ResourceNotFound itself
            key = op.get("Key") or {
                name: op["Item"][name]
                for name in (table.hash_key_attr, table.range_key_attr)
                if name is not None and name in op.get("Item", {})
            }
            hash_value, range_value = self.get_keys_value(table, key)
            current = table.get_item(hash_value, range_value)
            kept.append((table, hash_value, range_value, copy.deepcopy(current)))
        # moto's own code deep-copies each table to restore it: make that copy the table itself (a
        # no-op restore), for this call only; the items above are put back instead.
        Table.__deepcopy__ = lambda table, memo: table  # type: ignore[attr-defined]
        try:
            whole_table(self, transact_items)
        except Exception:
            for table, hash_value, range_value, item in reversed(kept):
                items = table.items if range_value is None else table.items[hash_value]
                position = hash_value if range_value is None else range_value
                if item is None:
                    items.pop(position, None)
                else:
                    items[position] = item
            raise
        finally:
            del Table.__deepcopy__  # type: ignore[attr-defined]

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


# The item operations a broadcast makes by the thousand; their requests and answers are plain JSON.
PLAIN_JSON_OPERATIONS = frozenset(
    {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchGetItem", "TransactWriteItems"}
)


def plain_json_items() -> None:
    """DynamoDB's item operations read and answered as plain JSON (see the module's docstring).

    moto 5 parses each request and serialises each answer by walking botocore's shapes, member by
    member: for a checkpoint's 500 ids that costs more than the operation itself. DynamoDB's protocol
    is JSON whose AttributeValues moto's handlers use as they come (no blobs or timestamps among
    these operations' fields here), so json.loads and json.dumps give the handlers and boto3 the same.
    Other operations and every error keep moto's own path.
    """
    from moto.core.responses import BaseResponse
    from moto.dynamodb.responses import DynamoHandler

    def parse_parameters(self: Any, request: Any) -> None:
        if self._get_action() in PLAIN_JSON_OPERATIONS:
            self.params = json.loads(request.data or b"{}")
        else:
            BaseResponse.parse_parameters(self, request)

    def serialized(self: Any, action_result: Any) -> Any:
        if self._get_action() in PLAIN_JSON_OPERATIONS and isinstance(action_result.result, dict):
            headers = {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}
            return 200, headers, json.dumps(action_result.result)
        return BaseResponse.serialized(self, action_result)

    DynamoHandler.parse_parameters = parse_parameters  # type: ignore[method-assign]
    DynamoHandler.serialized = serialized  # type: ignore[method-assign]


def serve(port: int, service: str) -> None:
    """One moto server (entry point of its child process), one request at a time, counting them."""
    import logging
    import signal
    import threading

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if service == "dynamodb" and not os.environ.get("BENCH_MOTO_WHOLE_TABLE_TRANSACTIONS"):
        item_scoped_transactions()  # BENCH_MOTO_WHOLE_TABLE_TRANSACTIONS=1: moto's own, to compare
    if service == "dynamodb" and not os.environ.get("BENCH_MOTO_SHAPED_JSON"):
        plain_json_items()  # BENCH_MOTO_SHAPED_JSON=1: moto's own parsing and serialising, to compare
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()
    stats: dict[str, list[float]] = {}

    def counted(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == STATS_PATH:
            start_response("200 OK", [("Content-Type", "application/json")])
            cpu = os.times()
            return [json.dumps({**stats, CPU: [0, cpu.user + cpu.system]}).encode()]
        # The body is read before the lock is taken: a client slow to send (a starved process) must
        # not hold every other request of this service up.
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length) if length else b"")
        with lock:
            started = time.perf_counter()
            answer = list(app(environ, start_response))
            figures = stats.setdefault(_operation(environ), [0, 0.0])
            figures[0] += 1
            figures[1] += time.perf_counter() - started
            return answer

    profile_dir = os.environ.get("BENCH_MOTO_PROFILE")
    if profile_dir:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU: waiting for a core is not moto's cost

        def dump(*_: Any) -> None:
            profiler.disable()
            profiler.dump_stats(str(Path(profile_dir) / f"{service}.prof"))
            os._exit(0)

        signal.signal(signal.SIGTERM, dump)
        profiler.enable()
    make_server("127.0.0.1", port, counted, threaded=True).serve_forever()


def stats(url: str) -> dict[str, list[float]]:
    with urllib.request.urlopen(f"{url}{STATS_PATH}", timeout=30) as answer:  # noqa: S310 (loopback)
        figures: dict[str, list[float]] = json.load(answer)
        return figures


def cpu_seconds(pid: int) -> float:
    """A live process's CPU time so far (user + system, from /proc; 0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class MotoServers:
    """`with MotoServers() as urls:` one moto server per service, {service: url}; `environment()` the
    variables that send each boto3 client to its own (anything else goes to the Secrets Manager one)."""

    def __enter__(self) -> dict[str, str]:
        repo = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([repo, os.environ.get("PYTHONPATH", "")])}
        self._processes: list[subprocess.Popen[bytes]] = []
        self.urls: dict[str, str] = {}
        for service in SERVICES:
            port = _free_port()
            code = f"from tools.bench.moto_servers import serve; serve({port}, {service!r})"
            self._processes.append(subprocess.Popen([sys.executable, "-c", code], env=env))
            self.urls[service] = f"http://127.0.0.1:{port}"
        for url in self.urls.values():
            self._wait(url)
        return self.urls

    def _wait(self, url: str) -> None:
        host, port = url.removeprefix("http://").split(":")
        for _ in range(600):  # bounded: about a minute (three interpreters loading moto at once)
            with socket.socket() as attempt:
                if attempt.connect_ex((host, int(port))) == 0:
                    return
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("moto did not start")

    def pids(self) -> dict[str, int]:
        return {service: process.pid for service, process in zip(SERVICES, self._processes, strict=True)}

    def environment(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.urls["secretsmanager"],
            **{f"AWS_ENDPOINT_URL_{service.upper()}": url for service, url in self.urls.items()},
        }

    def __exit__(self, *exc: object) -> None:
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
