"""監査ログ: staff actions and residents' data-rights requests together, newest first, admin only."""

from __future__ import annotations

from datetime import timedelta

from tests.support.staff_api_events import answer_json, http_event, staff_claims
from tests.unit.staff_api.staff_api_fakes import NOW, StaffApi

from civicline.models.staff import StaffAction, StaffActor

ADMIN = staff_claims("admin@example.jp", "admin")


def test_the_audit_lists_who_did_what_newest_first_across_months(api: StaffApi) -> None:
    # Given a broadcast last month, a data-rights request and a rich-menu switch this month
    editor = StaffActor(username="editor@example.jp", sub="sub-editor")
    api.fakes.actions.recorded += [
        StaffAction(at=NOW - timedelta(days=3), actor=editor, action="broadcast.send", target="b-1"),
        StaffAction(at=NOW + timedelta(hours=2), actor=editor, action="richmenu.switch", target="disaster"),
    ]
    api.fakes.data_rights.entries.append(
        {
            "action": "deletion",
            "subject": "hash-1",
            "requestedAt": "2026-04-01T01:00:00+00:00",
            "counts": {"users": 1},
        }
    )
    # When an admin opens the audit log
    answer = api.call(http_event("GET", "/staff/api/audit", claims=ADMIN))
    entries = answer_json(answer)
    # Then every action is there, newest first, under the right user (residents by hashed id only)
    assert [(e["action"], e["actor"]["username"]) for e in entries] == [
        ("richmenu.switch", "editor@example.jp"),
        ("dataRights.deletion", "住民（LINE）"),
        ("broadcast.send", "editor@example.jp"),
    ]
    assert entries[1]["target"] == "hash-1"
