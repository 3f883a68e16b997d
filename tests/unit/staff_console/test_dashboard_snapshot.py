"""The dashboard's counts: residents counted once per refresh, applications and survey choices per form,
the latest broadcasts, all under one `asOf` (civicline.domain.dashboard)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.unit.staff_console.console_fakes import NOW, FakeCounts, FakeSnapshots

from civicline.domain.dashboard.census import Census, ResidentFacts
from civicline.domain.dashboard.ports import ApplicationCounts
from civicline.domain.dashboard.refresh import refresh_snapshot
from civicline.models.dashboard import BroadcastDigest, ResidentCensus
from civicline.models.forms import SurveyResponse

RESIDENTS = [
    ResidentFacts("active", 1985, "female", "yotsuya", frozenset({"bousai", "kosodate"})),
    ResidentFacts("active", 1952, "male", "okubo", frozenset({"bousai"})),
    ResidentFacts("active"),  # followed, answered nothing
    ResidentFacts("blocked", 1990, "other", "tansu", frozenset({"event"})),
]


class FakeCensus:
    def __init__(self, residents: list[ResidentFacts]) -> None:
        self.residents = residents

    def census(self) -> ResidentCensus:
        return Census().add_all(self.residents).result()


def test_the_census_counts_friends_and_the_settings_of_active_residents_only() -> None:
    # Given three active residents (one who answered nothing) and one who blocked the account
    # When they are counted
    census = Census().add_all(RESIDENTS).result()
    # Then friends are counted by status, and the distributions are of the active ones
    assert (census.friends.active, census.friends.blocked) == (3, 1)
    assert census.settings_done == 2
    assert census.by_area == {"okubo": 1, "unanswered": 1, "yotsuya": 1}
    assert census.by_gender == {"female": 1, "male": 1, "unanswered": 1}
    assert census.by_decade == {"1950": 1, "1980": 1, "unanswered": 1}
    assert census.by_genre == {"bousai": 2, "kosodate": 1, "unanswered": 1}


def test_censuses_of_scan_segments_merge_into_the_whole() -> None:
    # Given the residents split across two scan segments
    first, second = Census().add_all(RESIDENTS[:2]), Census().add_all(RESIDENTS[2:])
    # When the segments' censuses are merged
    # Then the result is the census of everyone
    assert first.merge(second).result() == Census().add_all(RESIDENTS).result()


def test_a_refresh_stores_residents_applications_survey_choices_and_broadcasts_under_one_as_of() -> None:
    # Given residents, waiting and exported applications, survey responses (one with a typed opinion)
    # and three broadcasts
    counts = FakeCounts(
        counts={"koho_delivery": ApplicationCounts("koho_delivery", waiting=4, exported=9)},
        responses=[
            SurveyResponse(
                response_id=f"r{n}",
                user_id=f"U{n:032x}",
                form_id="koho_survey",
                form_version=1,
                answers={"satisfaction": satisfaction, "comment": comment},
                submitted_at=datetime(2026, 11, 28, tzinfo=UTC),
            )
            for n, (satisfaction, comment) in enumerate(
                [("5", "新宿太郎 090-1234-5678"), ("5", None), ("2", None)]
            )
        ],
        broadcasts=[
            BroadcastDigest(broadcast_id=f"b{n}", status="done", created_at=f"2026-11-2{n}T00:00:00+00:00")
            for n in range(7)
        ],
    )
    store = FakeSnapshots()
    # When the snapshot is refreshed
    snapshot = refresh_snapshot(
        residents=FakeCensus(RESIDENTS), applications=counts, broadcasts=counts, store=store, now=NOW
    )
    # Then the stored snapshot holds every count with the refresh's time
    assert store.stored == snapshot
    assert snapshot.as_of == NOW
    assert snapshot.friends.active == 3
    (koho,) = snapshot.applications_waiting
    assert (koho.form_id, koho.waiting, koho.exported) == ("koho_delivery", 4, 9)
    assert koho.title  # the form's Japanese title
    assert [b.broadcast_id for b in snapshot.latest_broadcasts] == ["b6", "b5", "b4", "b3", "b2"]
    # And the survey's results count choices, every choice listed, never the typed opinion
    survey = store.surveys["koho_survey"]
    assert survey.responses == 3
    assert survey.as_of == NOW
    satisfaction = next(q for q in survey.questions if q.step_id == "satisfaction")
    assert {c.value: c.count for c in satisfaction.choices} == {"5": 2, "4": 0, "3": 0, "2": 1, "1": 0}
    assert "comment" not in {q.step_id for q in survey.questions}
    assert "新宿太郎" not in survey.model_dump_json()
    assert "090-1234-5678" not in survey.model_dump_json()
