"""Staff CLI for segmented broadcasts (docs/broadcasts.md).

    python -m staff.broadcast_cli send REQUEST.yaml [--dry-run]   # make broadcast REQUEST=... [DRY_RUN=1]
    python -m staff.broadcast_cli report BROADCAST_ID
    python -m staff.broadcast_cli cancel BROADCAST_ID              # a scheduled one, before its time

`send` invokes the planner function (BroadcastPlannerFunction): a dry run prints the audience size by
area and by language, with the version each language receives and the languages the request has no
version in; a real run prints the broadcast's report (the audience per version sent). A request whose
`send_at` is more than a few minutes ahead is not sent now: the planner records it and makes a
one-time EventBridge Scheduler schedule that invokes it at that time (the report says `scheduled`).
Locally (the local stack) the Lambda endpoint is http://127.0.0.1:3002 (`--endpoint-url` or
CIVICLINE_LAMBDA_ENDPOINT). Staff need lambda:InvokeFunction on the planner, nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from civicline.models.city import load_city
from civicline.models.language import STAFF_LABELS
from civicline.ward_time import ward_time
from staff import staff_invoke

# Staff read these reports: statuses in Japanese.
STATUS_LABELS = {
    "planned": "計画済み",
    "scheduled": "予約済み",
    "sending": "送信中",
    "done": "完了",
    "partially_failed": "一部失敗",
    "cancelled": "取消済み",
}

# Staff read the languages by their Japanese names (residents see each written in itself).
LANGUAGE_LABELS = {language.value: label for language, label in STAFF_LABELS.items()}

PLANNER = os.environ.get("CIVICLINE_BROADCAST_PLANNER", "BroadcastPlannerFunction")
# The planner runs up to 15 minutes for a million residents: wait for it, never retry the call itself
# (a retried invoke is harmless — the planner is idempotent — but it would only wait on the lease).


def load_request(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    loaded = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(loaded, dict):
        raise SystemExit(f"{path}: a request is a mapping (see docs/broadcasts.md)")
    return loaded


def invoke(client: Any, function: str, event: dict[str, Any]) -> dict[str, Any]:
    return staff_invoke.invoke(client, function, event, what="planner")


def table(rows: list[tuple[str, Any]]) -> str:
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def _area_label(area_id: str) -> str:
    city = load_city()
    return "未回答" if area_id not in city.area_ids() else city.label(city.areas, area_id)


def _language_label(code: str) -> str:
    return LANGUAGE_LABELS.get(code, f"その他（{code}）")


def _language_order(code: str) -> int:
    return list(LANGUAGE_LABELS).index(code) if code in LANGUAGE_LABELS else len(LANGUAGE_LABELS)


def format_preview(preview: dict[str, Any]) -> str:
    rows: list[tuple[str, Any]] = [
        ("配信対象（人）", preview["audienceSize"]),
        ("配信日", preview["sendDate"]),
    ]
    rows += [(f"  地域 {_area_label(area)}", count) for area, count in sorted(preview["byArea"].items())]
    without = set(preview.get("languagesWithoutVersion", ()))
    fallback = preview.get("fallbackVersion", "ja")
    for code in sorted(preview.get("byLanguage", {}), key=_language_order):
        version = fallback if code in without or code not in LANGUAGE_LABELS else code
        rows.append(
            (
                f"  言語 {_language_label(code)}",
                f"{preview['byLanguage'][code]}（{_language_label(version)}版）",
            )
        )
    rows += [
        (f"  送る版 {_language_label(code)}", count)
        for code, count in sorted(preview.get("byVersion", {}).items(), key=lambda kv: _language_order(kv[0]))
    ]
    if without:
        names = "、".join(_language_label(code) for code in sorted(without, key=_language_order))
        rows.append(("版のない言語", f"{names}（{_language_label(fallback)}版を送ります）"))
    return table(rows)


def _ward_clock(moment: str | None) -> str:
    """When LINE accepted a batch, on the ward's clock to the millisecond (— before any was)."""
    if not moment:
        return "—"
    return ward_time(datetime.fromisoformat(moment)).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def format_report(report: dict[str, Any]) -> str:
    rows = [
        ("配信ID", report["broadcastId"]),
        ("件名", report.get("title", "")),
        (
            "状態",
            STATUS_LABELS.get(report["status"], report["status"])
            + ("（テスト配信）" if report.get("test") else ""),
        ),
        ("配信日", report["sendDate"]),
        ("配信予定時刻", report.get("sendAt") or "即時"),
        ("対象者の抽出完了", "はい" if report["planningComplete"] else "いいえ"),
        ("配信対象（人）", report["audienceSize"]),
        *(
            (f"  うち {_language_label(code)}版", count)
            for code, count in sorted(
                report.get("audienceByVersion", {}).items(), key=lambda kv: _language_order(kv[0])
            )
        ),
        ("バッチ数（予定）", report["batchesPlanned"]),
        ("バッチ数（送信済み）", report["batchesSent"]),
        ("送信済み（人）", report["recipientsSent"]),
        ("失敗バッチ数", report["batchesFailed"]),
        ("送信失敗（人）", report["recipientsFailed"]),
        ("再試行回数", report["retries"]),
        ("受付済みの再送（409）", report["alreadyAccepted"]),
        ("最初のバッチ受付", _ward_clock(report.get("firstBatchAcceptedAt"))),
        ("最後のバッチ受付", _ward_clock(report.get("lastBatchAcceptedAt"))),
    ]
    rows += [
        (
            f"  失敗バッチ {f['batchNumber']}（{_language_label(f.get('language', 'ja'))}版）",
            f"HTTP {f['status']} {f['message']}",
        )
        for f in report.get("failures", [])
    ]
    return table(rows)


def send(args: argparse.Namespace) -> int:
    request = load_request(args.request)
    if args.dry_run:
        request["dry_run"] = True
    request.setdefault("broadcast_id", f"b-{ward_time(datetime.now(UTC)):%Y%m%d-%H%M}-{uuid.uuid4().hex[:8]}")
    client = staff_invoke.lambda_client(args.endpoint_url)
    result = invoke(client, args.function, {"request": request})
    if args.dry_run:
        print(format_preview(result))
        return 0
    if result["status"] == "scheduled":
        when = ward_time(datetime.fromisoformat(result["sendAt"]))
        print(f"scheduled {result['broadcastId']} for {when:%Y-%m-%d %H:%M} JST (nothing sent yet)\n")
    print(format_report(result))
    return 0


def report(args: argparse.Namespace) -> int:
    print(
        format_report(
            invoke(
                staff_invoke.lambda_client(args.endpoint_url), args.function, {"report": args.broadcast_id}
            )
        )
    )
    return 0


def cancel(args: argparse.Namespace) -> int:
    client = staff_invoke.lambda_client(args.endpoint_url)
    result = invoke(client, args.function, {"cancel": args.broadcast_id})
    print(f"cancelled {result['broadcastId']} (nothing was sent)\n")
    print(format_report(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--endpoint-url", default=os.environ.get("CIVICLINE_LAMBDA_ENDPOINT"))
    parser.add_argument("--function", default=PLANNER, help="planner function name, ARN or logical id")
    commands = parser.add_subparsers(dest="command", required=True)
    send_parser = commands.add_parser("send", help="plan (and send, or schedule) a broadcast request file")
    send_parser.add_argument("request", type=Path)
    send_parser.add_argument("--dry-run", action="store_true", help="count the audience only")
    send_parser.set_defaults(run=send)
    report_parser = commands.add_parser("report", help="print a broadcast's report")
    report_parser.add_argument("broadcast_id")
    report_parser.set_defaults(run=report)
    cancel_parser = commands.add_parser("cancel", help="cancel a scheduled broadcast before its time")
    cancel_parser.add_argument("broadcast_id")
    cancel_parser.set_defaults(run=cancel)
    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
