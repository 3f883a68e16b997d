"""A loopback stand-in for SQS and Secrets Manager, so the webhook's cold path is measured without AWS.

It answers just SendMessageBatch and GetSecretValue (AWS JSON protocol), in microseconds, so what the
benchmark measures is our process's own work.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    server: AwsStub

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        target = self.headers.get("x-amz-target", "")
        if target.endswith("SendMessageBatch"):
            self.server.sqs_calls += 1
            answer: dict[str, Any] = {
                "Successful": [
                    {
                        "Id": entry["Id"],
                        "MessageId": str(uuid.uuid4()),
                        "MD5OfMessageBody": hashlib.md5(entry["MessageBody"].encode()).hexdigest(),  # noqa: S324 - SQS's own checksum
                        "SequenceNumber": "1",
                    }
                    for entry in request["Entries"]
                ],
                "Failed": [],
            }
        elif target.endswith("GetSecretValue"):
            answer = {"ARN": request["SecretId"], "Name": "line", "SecretString": self.server.secret_string}
        else:
            self.send_response(400)
            self.end_headers()
            return
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/x-amz-json-1.0")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class AwsStub(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, secret_string: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.secret_string = secret_string
        self.sqs_calls = 0
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> AwsStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
