"""The watermark's rules: claim, commit, release, take-over, and what counts as exported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicline.domain.export.errors import ExportInProgress, WatermarkMoved
from civicline.domain.export.watermark import Watermark, bound

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
LAG = timedelta(minutes=2)


def test_bound_sorts_like_received_at() -> None:
    # Given two moments a microsecond apart / When bounded / Then the strings sort as the times
    earlier, later = bound(NOW), bound(NOW + timedelta(microseconds=1))
    assert earlier < later
    assert earlier == "2026-11-27T08:00:00.000000+00:00"


def test_bound_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="aware"):
        bound(datetime(2026, 11, 27, 8, 0))


def test_first_claim_covers_everything_up_to_now_minus_lag() -> None:
    # Given no export yet / When an export claims / Then its window ends lag before now
    claimed = Watermark(form_id="f").claimed_by("e1", now=NOW, lag=LAG, lease_until=NOW + LAG)
    assert claimed.current is None
    assert claimed.claim is not None
    assert claimed.claim.up_to == bound(NOW - LAG)
    assert claimed.version == 1


def test_commit_moves_the_watermark_to_the_claimed_bound() -> None:
    claimed = Watermark(form_id="f").claimed_by("e1", now=NOW, lag=LAG, lease_until=NOW + LAG)
    committed = claimed.committed("e1")
    assert committed.current == bound(NOW - LAG)
    assert committed.claim is None
    assert committed.last_export_id == "e1"
    assert committed.version == 2


def test_a_live_claim_stops_a_second_export() -> None:
    # Given an export holding the watermark / When another claims before the lease ends / Then it stops
    claimed = Watermark(form_id="f").claimed_by("e1", now=NOW, lag=LAG, lease_until=NOW + LAG)
    with pytest.raises(ExportInProgress):
        claimed.claimed_by("e2", now=NOW + timedelta(seconds=1), lag=LAG, lease_until=NOW + LAG)


def test_a_lapsed_claim_is_taken_over_and_its_marks_no_longer_count() -> None:
    # Given an export that crashed holding the watermark / When its lease lapses and another claims
    crashed = Watermark(form_id="f").claimed_by("e1", now=NOW, lag=LAG, lease_until=NOW + LAG)
    taken = crashed.claimed_by("e2", now=NOW + LAG + timedelta(seconds=1), lag=LAG, lease_until=NOW + 2 * LAG)
    # Then the new claim starts from the same committed watermark, and e1's marks count as not exported
    assert taken.current is None
    assert taken.abandoned == ("e1",)
    assert not taken.is_exported("exported", "e1")
    assert taken.is_exported("exported", "e0")


def test_release_keeps_the_watermark_and_abandons_the_marks() -> None:
    claimed = Watermark(form_id="f", current="a", version=3).claimed_by(
        "e1", now=NOW, lag=LAG, lease_until=NOW + LAG
    )
    released = claimed.released("e1")
    assert released.current == "a"
    assert released.claim is None
    assert released.abandoned == ("e1",)
    # And the next commit forgets the abandoned ids (their items were exported again)
    again = released.claimed_by("e2", now=NOW, lag=LAG, lease_until=NOW + LAG).committed("e2")
    assert again.abandoned == ()


def test_only_the_claimer_can_commit_or_release() -> None:
    claimed = Watermark(form_id="f").claimed_by("e1", now=NOW, lag=LAG, lease_until=NOW + LAG)
    with pytest.raises(WatermarkMoved):
        claimed.committed("e2")
    with pytest.raises(WatermarkMoved):
        claimed.released("e2")


def test_a_clock_behind_the_watermark_claims_an_empty_window() -> None:
    # Given a watermark ahead of now - lag (clock moved back, lag raised) / Then the window is empty
    ahead = Watermark(form_id="f", current=bound(NOW), version=1)
    claimed = ahead.claimed_by("e1", now=NOW, lag=LAG, lease_until=NOW + LAG)
    assert claimed.claim is not None
    assert claimed.claim.up_to == ahead.current


def test_received_items_never_count_as_exported() -> None:
    assert not Watermark(form_id="f").is_exported("received", None)
