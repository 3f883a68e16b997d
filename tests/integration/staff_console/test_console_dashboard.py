"""The dashboard against moto: right after a refresh its numbers are what the tables hold."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.staff_console.console_stack import ConsoleStack


def _broadcast(broadcast_id: str, created_at: str, audience: int, sent: int) -> dict[str, Any]:
    return {
        "broadcastId": {"S": broadcast_id},
        "status": {"S": "done"},
        "createdAt": {"S": created_at},
        "audienceSize": {"N": str(audience)},
        "recipientsSent": {"N": str(sent)},
        "recipientsFailed": {"N": str(audience - sent)},
    }


def _all_users(console: ConsoleStack) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": console.exports.aws.table("UsersTable")}
    while True:
        page = console.exports.dynamodb.scan(**request)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_the_dashboard_equals_what_the_tables_hold_right_after_a_refresh(console: ConsoleStack) -> None:
    # Given 300 residents, applications (two exported, one waiting) and three broadcasts
    console.seed_residents(300)
    exports = console.exports
    now = datetime.now(UTC)
    for minutes in (30, 20):
        exports.add_application(received_at=now - timedelta(minutes=minutes))
    exports.staff_export()
    exports.add_application()
    broadcasts = console.exports.aws.table("BroadcastsTable")
    for item in (
        _broadcast("b-old", "2026-11-01T00:00:00+00:00", 10, 10),
        _broadcast("b-new", "2026-11-28T00:00:00+00:00", 120, 118),
        {"broadcastId": {"S": "b-new#request"}, "createdAt": {"S": "2026-11-28T00:00:00+00:00"}},
        {"broadcastId": {"S": "ratelimit#multicast#1"}, "grants": {"N": "3"}},
    ):
        exports.dynamodb.put_item(TableName=broadcasts, Item=item)

    # When the snapshot is refreshed and a viewer opens ホーム
    refreshed = console.refresh()
    status, dashboard = console.call("GET", "/staff/api/dashboard", roles=("viewer",))

    # Then every number is what the tables hold, counted here independently of the census
    assert status == 200
    users = _all_users(console)
    active = [u for u in users if u["status"]["S"] == "active"]
    assert dashboard["friends"] == {"active": len(active), "blocked": len(users) - len(active)}
    assert refreshed["residents"] == len(users) == 300
    assert dashboard["byArea"] == dict(Counter(u.get("area", {}).get("S", "unanswered") for u in active))
    assert dashboard["byGender"] == dict(Counter(u.get("gender", {}).get("S", "unanswered") for u in active))
    assert dashboard["byDecade"] == dict(
        Counter(
            str(int(u["birthYear"]["N"]) // 10 * 10) if "birthYear" in u else "unanswered" for u in active
        )
    )
    genres = Counter(g for u in active for g in u.get("genres", {}).get("SS", ["unanswered"]))
    assert dashboard["byGenre"] == dict(genres)
    settings = ("birthYear", "gender", "area", "genres")
    assert dashboard["settingsDone"] == sum(any(s in u for s in settings) for u in active)
    assert dashboard["applicationsWaiting"] == [
        {"formId": "koho_delivery", "title": "広報新宿の個別配達", "waiting": 1, "exported": 2}
    ]
    assert [
        (b["broadcastId"], b["recipients"], b["sent"], b["failed"]) for b in dashboard["latestBroadcasts"]
    ] == [
        ("b-new", 120, 118, 2),
        ("b-old", 10, 10, 0),
    ]
    assert dashboard["asOf"] == refreshed["asOf"].replace("+00:00", "Z")


def test_an_older_refresh_finishing_late_never_replaces_newer_counts(console: ConsoleStack) -> None:
    # Given a snapshot taken now with 5 residents
    console.seed_residents(5)
    console.refresh()
    newer = console.data.dashboard()
    # When a refresh that started earlier stores its counts afterwards
    snapshots = console.data.snapshots
    older = newer.model_copy(update={"as_of": newer.as_of - timedelta(minutes=1), "settings_done": 999})  # type: ignore[operator]
    snapshots.save(older, [])
    # Then the newer counts stand
    assert console.data.dashboard().settings_done == newer.settings_done
