"""Staff CLI for applications exports: prints a short-lived download link (docs: README, Staff exports).

    python -m staff.export_cli [--form koho_delivery] [--encoding cp932]
    python -m staff.export_cli --link EXPORT_ID      # a link to an earlier (e.g. scheduled) export
    make export [FORM=...] [ENCODING=cp932] [LINK=...]

Invokes the export function with the caller's own IAM credentials (staff need lambda:InvokeFunction on
it, nothing else: the function alone reads the table and decrypts). The link is printed alone on the
first line, then the count, expiry and export id. Dates are JST days (both included) or ISO times.

Who asked is taken from `sts get-caller-identity` and sent with the request; the function records it
in the audit log as self-reported (`identityVerified: false`), next to the invocation id under which
CloudTrail records the authenticated caller of lambda:InvokeFunction.

A re-export of a period (`--from`/`--to`) is refused here: it can hold every retained applicant's
personal data, so it needs an administrator signed in to the staff console, with a reason, whose
identity the audit records as verified (README, "Staff exports").

Locally (the local stack) the Lambda endpoint is http://127.0.0.1:3002 (`--endpoint-url` or
CIVICLINE_LAMBDA_ENDPOINT) and STS is answered by the stack's moto server.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from staff import staff_invoke

FUNCTION = os.environ.get("CIVICLINE_EXPORT_FUNCTION", "ExportFunction")
LOCAL_STS = "http://127.0.0.1:5000"
RANGE_IN_CONSOLE = (
    "re-exporting a period is done in the staff console by an administrator, with a reason "
    "(/staff/ → 申請・エクスポート → 期間を指定して再エクスポート); the CLI exports since the last export "
    "(no --from/--to) or fetches a link (--link)"
)


def caller_identity(sts_endpoint: str | None) -> dict[str, str]:
    import boto3

    try:
        identity = boto3.client("sts", endpoint_url=sts_endpoint).get_caller_identity()
    except Exception as error:
        raise SystemExit(f"cannot tell who you are (sts get-caller-identity failed: {error})") from None
    return {"arn": identity["Arn"], "userId": identity["UserId"], "account": identity["Account"]}


def build_event(args: argparse.Namespace, requester: dict[str, str]) -> dict[str, Any]:
    event: dict[str, Any] = {"formId": args.form, "encoding": args.encoding, "requestedBy": requester}
    if args.link:
        event["exportId"] = args.link
    if args.date_from or args.date_to:
        event["from"], event["to"] = args.date_from, args.date_to
    if args.expiry:
        event["linkExpirySeconds"] = args.expiry
    return event


def invoke(client: Any, function: str, event: dict[str, Any]) -> dict[str, Any]:
    return staff_invoke.invoke(client, function, event, what="export")


def summary(result: dict[str, Any]) -> list[str]:
    """The lines after the link: what is in the file and until when the link works."""
    window = result.get("window", {})
    lines = [
        f"records:   {result['recordCount']}",
        f"export id: {result['exportId']}",
        f"window:    {window.get('mode')} {window.get('after') or '(start)'} .. {window.get('upTo')}",
    ]
    if result.get("url"):
        lines.insert(1, f"expires:   {result['expiresAt']} ({result['expirySeconds']} s)")
    if result.get("unencodableTotal"):
        cells = ", ".join(f"row {c['row']} {c['column']}" for c in result.get("unencodable", []))
        lines.append(f"replaced:  {result['unencodableTotal']} cell(s) with 〓 ({cells})")
    if result.get("skippedUnreadable"):
        lines.append(f"skipped:   {result['skippedUnreadable']} application(s) whose data would not decrypt")
    return lines


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--form", default="koho_delivery")
    parser.add_argument("--encoding", choices=["utf-8-sig", "cp932"], default="utf-8-sig")
    parser.add_argument("--from", dest="date_from", help="refused: re-export a period in the staff console")
    parser.add_argument("--to", dest="date_to", help="refused: re-export a period in the staff console")
    parser.add_argument("--link", help="a new link to this earlier export's file")
    parser.add_argument("--expiry", type=int, help="link lifetime in seconds (60–3600)")
    parser.add_argument("--endpoint-url", default=os.environ.get("CIVICLINE_LAMBDA_ENDPOINT"))
    parser.add_argument("--sts-endpoint-url", default=os.environ.get("CIVICLINE_STS_ENDPOINT"))
    parser.add_argument("--function", default=FUNCTION, help="export function name, ARN or logical id")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = arguments()
    args = parser.parse_args(argv)
    if args.date_from or args.date_to:
        parser.error(RANGE_IN_CONSOLE)

    client = staff_invoke.lambda_client(args.endpoint_url)
    local = staff_invoke.is_local(args.endpoint_url)  # then moto answers STS
    requester = caller_identity(args.sts_endpoint_url or (LOCAL_STS if local else None))
    result = invoke(client, args.function, build_event(args, requester))
    if result.get("url"):
        print(result["url"])  # alone on its line, for scripts and copy-paste
    else:
        print("no new applications: no file, no link", file=sys.stderr)
    for line in summary(result):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
