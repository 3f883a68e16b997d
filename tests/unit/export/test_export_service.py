"""One export end to end over in-memory ports: windows, marks, files, links, audit, notices."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from tests.unit.export.export_fakes import FORM, T0, World

from civicline.domain.export.errors import ExportInProgress, ExportNotFound, ExportStoreFailed, UnknownForm
from civicline.domain.export.grants import RangeNotAllowed
from civicline.domain.export.run import run_export
from civicline.models.export import ExportRequest, ExportTuning
from civicline.models.forms import SurveyResponse
from civicline.models.staff import Role, StaffIdentity

TUNING = ExportTuning.model_validate({"EXPORT_SAFETY_LAG_SECONDS": "120"})
STAFF = ExportRequest.model_validate(
    {"formId": FORM, "requestedBy": {"arn": "arn:aws:iam::123456789012:user/k"}}
)
SCHEDULED = ExportRequest.model_validate({"trigger": "schedule"})
ADMIN = StaffIdentity(sub="sub-a", username="kanri", roles=frozenset({Role.ADMIN}))
EXPORTER = StaffIdentity(sub="sub-e", username="shinsei", roles=frozenset({Role.EXPORTER}))
NOV_1_TO_3 = {"from_": datetime(2026, 10, 31, 15, tzinfo=UTC), "to": datetime(2026, 11, 3, 15, tzinfo=UTC)}


def _rows(world: World, key: str | None) -> list[list[str]]:
    assert key is not None
    return list(csv.reader(io.StringIO(world.files.objects[key].decode("utf-8-sig"), newline="")))[1:]


def test_a_staff_export_takes_what_is_older_than_the_lag_and_marks_it() -> None:
    # Given two applications well before now and one within the safety lag
    world = World()
    old = [world.applications.add(T0 + timedelta(minutes=m)) for m in (0, 1)]
    recent = world.applications.add(T0 + timedelta(minutes=9))
    now = T0 + timedelta(minutes=10)
    # When staff export
    result = run_export(STAFF, world.ports(), TUNING, world.run_at(now))
    # Then the old ones are in the file, marked with this export, their guards gone, TTL set
    assert result.record_count == 2
    assert [row[0] for row in _rows(world, result.object_key)] == [r.reception_number for r in old]
    for record in old:
        stored = world.applications.items[record.application_id]
        assert (stored.status, stored.export_id) == ("exported", result.export_id)
        assert world.applications.purge_at[record.application_id] == now + timedelta(days=90)
        assert record.application_id not in world.applications.guards
    assert world.applications.items[recent.application_id].status == "received"
    # And the link came back, audited with the requester and the watermark advanced
    assert result.url is not None
    assert result.expiry_seconds == 900
    assert world.audit.records == [result]
    assert world.audit.watermark(FORM).current == result.window.up_to
    assert result.requested_by == "arn:aws:iam::123456789012:user/k"


def test_the_next_export_starts_where_the_last_one_ended() -> None:
    world = World()
    world.applications.add(T0)
    first = run_export(STAFF, world.ports(), TUNING, world.run_at(T0 + timedelta(minutes=10)))
    later = world.applications.add(T0 + timedelta(minutes=20))
    second = run_export(STAFF, world.ports(), TUNING, world.run_at(T0 + timedelta(minutes=30)))
    assert second.window.after == first.window.up_to
    assert [row[0] for row in _rows(world, second.object_key)] == [later.reception_number]


def test_nothing_new_writes_no_file_but_moves_and_audits() -> None:
    world = World()
    result = run_export(STAFF, world.ports(), TUNING, world.run_at(T0))
    assert result.record_count == 0
    assert result.object_key is None
    assert result.url is None
    assert world.files.objects == {}
    assert world.audit.records == [result]


def test_a_scheduled_export_issues_no_link_and_notifies_staff() -> None:
    world = World()
    world.applications.add(T0)
    result = run_export(SCHEDULED, world.ports(), TUNING, world.run_at(T0 + timedelta(hours=1)))
    assert result.object_key is not None
    assert result.url is None
    assert world.files.links == []
    assert world.notifier.sent == [result]
    assert result.requested_by == "EventBridge Scheduler"


def test_staff_get_a_link_to_a_scheduled_export_later_and_it_is_audited() -> None:
    world = World()
    world.applications.add(T0)
    scheduled = run_export(SCHEDULED, world.ports(), TUNING, world.run_at(T0 + timedelta(hours=1)))
    link_request = STAFF.model_copy(update={"export_id": scheduled.export_id, "link_expiry_seconds": 300})
    link = run_export(link_request, world.ports(), TUNING, world.run_at(T0 + timedelta(hours=2)))
    assert link.url is not None
    assert link.reissued
    assert link.record_count == 1
    assert link.expiry_seconds == 300
    assert world.audit.links == [link]
    assert link.requested_by.endswith("user/k")


def test_a_link_to_an_unknown_export_is_refused() -> None:
    request = STAFF.model_copy(update={"export_id": "20261127T000000Z-00000000"})
    with pytest.raises(ExportNotFound):
        run_export(request, World().ports(), TUNING, World().run_at(T0))


def test_a_second_export_during_the_first_stops_before_reading() -> None:
    # Given an export holding the watermark (its upload still running)
    world = World()
    world.applications.add(T0)
    run = world.run_at(T0 + timedelta(hours=1))
    previous = world.audit.watermark(FORM)
    world.audit.replace_watermark(
        previous.claimed_by(run.export_id, now=run.now, lag=TUNING.safety_lag, lease_until=run.lease_until),
        expected_version=0,
    )
    # When another export starts / Then it stops and marks nothing
    with pytest.raises(ExportInProgress):
        run_export(STAFF, world.ports(), TUNING, world.run_at(T0 + timedelta(hours=1, seconds=1)))
    assert all(a.status == "received" for a in world.applications.items.values())


def test_a_failed_upload_hands_its_applications_to_the_next_export() -> None:
    # Given an export whose upload fails after its applications were marked
    world = World()
    records = [world.applications.add(T0 + timedelta(seconds=s)) for s in range(5)]
    world.files.fail_upload = True
    with pytest.raises(ExportStoreFailed):
        run_export(STAFF, world.ports(), TUNING, world.run_at(T0 + timedelta(hours=1)))
    assert world.audit.watermark(FORM).current is None
    # When the next export runs / Then it exports them all, once
    world.files.fail_upload = False
    result = run_export(STAFF, world.ports(), TUNING, world.run_at(T0 + timedelta(hours=2)))
    assert sorted(row[0] for row in _rows(world, result.object_key)) == [r.reception_number for r in records]
    assert {a.export_id for a in world.applications.items.values()} == {result.export_id}
    assert world.audit.watermark(FORM).abandoned == ()


def test_unreadable_pii_is_skipped_reported_and_left_for_later() -> None:
    world = World()
    good = world.applications.add(T0)
    bad = world.applications.add(T0 + timedelta(seconds=1))
    world.pii.unreadable.add(bad.application_id)
    result = run_export(STAFF, world.ports(), TUNING, world.run_at(T0 + timedelta(hours=1)))
    assert result.record_count == 1
    assert result.skipped_unreadable == 1
    assert result.unreadable_reception_numbers == (bad.reception_number,)
    assert [row[0] for row in _rows(world, result.object_key)] == [good.reception_number]
    assert world.applications.items[bad.application_id].status == "received"


def test_a_range_re_export_includes_exported_items_and_moves_nothing() -> None:
    # Given applications, some exported already
    world = World()
    first = world.applications.add(datetime(2026, 11, 1, 1, tzinfo=UTC))
    run_export(STAFF, world.ports(), TUNING, world.run_at(datetime(2026, 11, 2, tzinfo=UTC)))
    second = world.applications.add(datetime(2026, 11, 3, 1, tzinfo=UTC))
    world.applications.add(datetime(2026, 11, 10, 1, tzinfo=UTC))  # outside the range
    watermark = world.audit.watermark(FORM)
    # When staff re-export 11-01..11-03 (JST days)
    request = STAFF.model_copy(
        update={"from_": datetime(2026, 10, 31, 15, tzinfo=UTC), "to": datetime(2026, 11, 3, 15, tzinfo=UTC)}
    )
    run = replace(world.run_at(datetime(2026, 11, 20, tzinfo=UTC)), staff=ADMIN, reason="配達漏れの確認")
    result = run_export(request, world.ports(), TUNING, run)
    # Then both are in the file, the unexported one stays unexported, the watermark is unchanged
    assert [row[0] for row in _rows(world, result.object_key)] == [
        first.reception_number,
        second.reception_number,
    ]
    assert world.applications.items[second.application_id].status == "received"
    assert world.audit.watermark(FORM) == watermark
    assert result.window.mode == "range"
    # And the audit names the administrator as verified, with the reason
    assert (result.requested_by, result.requested_by_sub, result.identity_verified) == (
        "kanri",
        "sub-a",
        True,
    )
    assert result.reason == "配達漏れの確認"


def test_survey_counts_carry_no_personal_data() -> None:
    world = World()
    for n, (satisfaction, comment) in enumerate([("5", "山田です 090-1111-2222"), ("2", None), ("5", None)]):
        world.applications.surveys.append(
            (
                f"2026-11-27T00:00:0{n}.000000+00:00",
                SurveyResponse(
                    response_id=f"r{n}",
                    user_id=f"U{n:032x}",
                    form_id="koho_survey",
                    form_version=1,
                    answers={"satisfaction": satisfaction, "articles": "events", "comment": comment},
                    submitted_at=T0,
                ),
            )
        )
    request = STAFF.model_copy(update={"form_id": "koho_survey"})
    result = run_export(request, world.ports(), TUNING, world.run_at(T0))
    data = world.files.objects[result.object_key or ""].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows[0] == ["設問", "選択肢", "件数"]
    assert rows[1] == ["回答数", "", "3"]
    assert ["満足度", "とても満足", "2"] in rows
    assert ["満足度", "やや不満", "1"] in rows
    assert ["満足度", "不満", "0"] in rows
    for personal in ("山田", "090", "U0"):
        assert personal not in data
    assert result.record_count == 3


def test_an_unknown_form_is_refused() -> None:
    with pytest.raises(UnknownForm):
        run_export(STAFF.model_copy(update={"form_id": "nope"}), World().ports(), TUNING, World().run_at(T0))


@pytest.mark.parametrize(
    ("staff", "reason", "period"),
    [
        (None, "理由", NOV_1_TO_3),  # the CLI: a self-reported name only
        (EXPORTER, "理由", NOV_1_TO_3),  # signed in, but not an administrator
        (ADMIN, " ", NOV_1_TO_3),  # no reason
        (
            ADMIN,
            "理由",
            {"from_": datetime(2025, 10, 31, 15, tzinfo=UTC), "to": NOV_1_TO_3["to"]},
        ),  # 368 days
    ],
)
def test_a_period_is_re_exported_only_for_an_administrator_with_a_reason_within_a_year(
    staff: StaffIdentity | None, reason: str, period: dict[str, datetime]
) -> None:
    # Given applications received in the period
    world = World()
    world.applications.add(datetime(2026, 11, 1, 1, tzinfo=UTC))
    # When a re-export of it is asked without all of: an administrator, a reason, at most 366 days
    run = replace(world.run_at(datetime(2026, 11, 20, tzinfo=UTC)), staff=staff, reason=reason)
    # Then it is refused before anything is read or written
    with pytest.raises(RangeNotAllowed):
        run_export(STAFF.model_copy(update=period), world.ports(), TUNING, run)
    assert world.files.objects == {}
    assert world.audit.records == []


def test_a_cli_export_is_audited_as_not_verified_and_a_console_one_as_verified() -> None:
    # Given one application, exported by the CLI (self-reported name) and then re-linked by the console
    world = World()
    world.applications.add(T0)
    # When the CLI exports it, and an exporter signed in to the console exports the next one
    by_cli = run_export(STAFF, world.ports(), TUNING, world.run_at(T0 + timedelta(minutes=10)))
    world.applications.add(T0 + timedelta(minutes=20))
    console_run = replace(world.run_at(T0 + timedelta(minutes=30)), staff=EXPORTER)
    by_console = run_export(STAFF, world.ports(), TUNING, console_run)
    # Then the audit says plainly which name was verified
    assert (by_cli.requested_by, by_cli.identity_verified, by_cli.requested_by_sub) == (
        "arn:aws:iam::123456789012:user/k",
        False,
        None,
    )
    assert "not verified" in by_cli.requested_by_source
    assert (by_console.requested_by, by_console.identity_verified, by_console.requested_by_sub) == (
        "shinsei",
        True,
        "sub-e",
    )
