"""Broadcasts in every language: the request's versions, which one each resident receives, and planning
cut per version (Σ⌈N_version/500⌉ batches, each of one version), crashes and workers included."""

from __future__ import annotations

import contextlib
import math
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from tests.unit.broadcast.broadcast_fakes import Crash, FakeAudience, FakeLedger, FakeQueue, user_id

from civicline.adapters.dynamodb.broadcast_messages import MessageCache
from civicline.domain.broadcast.planner import Lease, StartWorkers, plan_broadcast, plan_segment_worker
from civicline.domain.broadcast.preview import preview
from civicline.domain.broadcast.segment import matches
from civicline.domain.broadcast.versions import Readers, version_for
from civicline.models.broadcast.report import BroadcastReport
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.broadcast.segment import Segment
from civicline.models.language import Language
from civicline.models.resident import ReceptionSettings

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 4, 1)
JA, EASY, EN, ZH, KO = Language.JA, Language.JA_EASY, Language.EN, Language.ZH_HANS, Language.KO
STORED = [None, "ja", "ja-easy", "en", "zh-Hans", "ko", "vi", "ne", "my", "fr"]  # "fr": unknown here


def text(words: str) -> list[dict[str, str]]:
    return [{"type": "text", "text": words}]


def request(*versions: Language, **extra: Any) -> BroadcastRequest:
    return BroadcastRequest.model_validate(
        {
            "broadcast_id": "b1",
            "messages": text("お知らせ"),
            "translations": {version.value: text(f"notice {version.value}") for version in versions},
            **extra,
        }
    )


def population(n: int, seed: int = 1) -> FakeAudience:
    rng = random.Random(seed)
    residents = {user_id(i): ReceptionSettings(area=rng.choice(["yotsuya", "okubo", None])) for i in range(n)}
    stored = {uid: language for uid in residents if (language := rng.choice(STORED)) is not None}
    return FakeAudience(residents, stored)


def lease(owner: str) -> Lease:
    return Lease(owner=owner, now=NOW, until=NOW + timedelta(minutes=16))


def plan(
    req: BroadcastRequest,
    audience: FakeAudience,
    ledger: FakeLedger,
    queue: FakeQueue,
    *,
    scan_segments: int,
    owner: str = "inv",
    start_workers: StartWorkers | None = None,
) -> BroadcastReport:
    """The planner invoked on DAY under `owner`'s lease, enqueueing into `queue`."""
    return plan_broadcast(
        req,
        day=DAY,
        scan_segments=scan_segments,
        ledger=ledger,
        audience=audience,
        enqueue=queue.enqueue,
        lease=lease(owner),
        start_workers=start_workers,
    )


# ------------------------------------------------------------------ the request


def test_given_translations_then_the_versions_are_japanese_first_then_the_catalogues_order() -> None:
    req = request(KO, EN, EASY)
    assert req.versions == (JA, EASY, EN, KO)
    assert req.messages_for(JA)[0].text == "お知らせ"  # type: ignore[union-attr]
    assert req.messages_for(KO)[0].text == "notice ko"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "translations",
    [
        {"ja": text("二つ目の日本語")},  # Japanese is `messages`
        {"fr": text("bonjour")},  # not a language of the account
        {"en": []},  # a version has 1–5 messages
        {"en": text("1") * 6},
    ],
)
def test_given_a_malformed_translation_then_the_request_is_refused_before_anything_is_sent(
    translations: dict[str, Any],
) -> None:
    with pytest.raises(ValidationError):
        BroadcastRequest.model_validate({"messages": text("お知らせ"), "translations": translations})


# ------------------------------------------------------------------ who receives which version


@pytest.mark.parametrize(
    ("stored", "versions", "expected"),
    [
        ("en", (JA, EN), EN),
        ("ko", (JA, EN), JA),  # no Korean version, no やさしい日本語: Japanese
        ("ko", (JA, EASY, EN), EASY),  # no Korean version: やさしい日本語
        (None, (JA, EASY, EN), JA),  # none stored reads Japanese, even with やさしい日本語 given
        ("ja", (JA, EASY), JA),
        ("ja-easy", (JA, EN), JA),
        ("fr", (JA, EASY), EASY),  # a language the account does not know: as one without a version
        ("fr", (JA,), JA),
    ],
)
def test_each_resident_receives_their_languages_version_else_yasashii_nihongo_else_japanese(
    stored: str | None, versions: tuple[Language, ...], expected: Language
) -> None:
    assert version_for(stored, versions) is expected


@given(st.sampled_from(STORED), st.sets(st.sampled_from(list(Language)[1:])))
def test_every_resident_reads_exactly_one_version(stored: str | None, others: set[Language]) -> None:
    versions = (JA, *(language for language in Language if language in others))
    readers = [version for version in versions if Readers(version, versions).includes(stored)]
    assert readers == [version_for(stored, versions)]


def test_given_a_segment_by_language_then_no_language_stored_counts_as_japanese() -> None:
    anyone = ReceptionSettings()
    japanese = Segment.model_validate({"languages": ["ja"]})
    assert matches(japanese, anyone, 2026, None)
    assert matches(japanese, anyone, 2026, "ja")
    assert not matches(japanese, anyone, 2026, "en")
    not_english = Segment.model_validate({"exclude": {"languages": ["en"]}})
    assert matches(not_english, anyone, 2026, None)
    assert not matches(not_english, anyone, 2026, "en")
    with pytest.raises(ValidationError):
        Segment.model_validate({"languages": ["fr"]})


# ------------------------------------------------------------------ planning per version


def assert_each_recipient_in_one_batch_of_their_version(
    queue: FakeQueue, audience: FakeAudience, versions: tuple[Language, ...]
) -> dict[str, int]:
    """Nobody in two batch numbers, every batch ≤ 500 of one version, each recipient in theirs."""
    owner: dict[str, int] = {}
    for batch in queue.batches:
        assert len(batch.user_ids) <= 500
        for uid in batch.user_ids:
            assert owner.setdefault(uid, batch.batch_number) == batch.batch_number
            assert batch.language is version_for(audience.languages.get(uid), versions)
    return owner


def minimum_batches(audience: FakeAudience, versions: tuple[Language, ...], recipients: set[str]) -> int:
    per_version = Counter(version_for(audience.languages.get(uid), versions) for uid in recipients)
    return sum(math.ceil(n / 500) for n in per_version.values())


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 3000),
    st.integers(1, 5),
    st.sets(st.sampled_from(list(Language)[1:])),
    st.integers(0, 10),
    st.booleans(),
    st.integers(0, 2),
)
def test_given_versions_and_crashes_anywhere_when_resumed_then_each_costs_its_minimum_and_nobody_twice(  # noqa: PLR0917 (hypothesis draws)
    size: int, scan_segments: int, others: set[Language], crash_after: int, once_sent: bool, crashes: int
) -> None:
    # Given residents in every language and a request with some versions, and a planner that dies
    audience, ledger = population(size, seed=size), FakeLedger()
    req = request(*others)
    queue = FakeQueue(crash_after=crash_after, crash_once_sent=once_sent)
    for attempt in range(crashes + 1):
        with contextlib.suppress(Crash):
            plan(req, audience, ledger, queue, scan_segments=scan_segments, owner=f"inv-{attempt}")
        queue.crash_after = len(queue.batches) + attempt if attempt < crashes else None
    # When it is finally left to finish
    report = plan(req, audience, ledger, queue, scan_segments=scan_segments, owner="inv-last")
    # Then everyone is in one batch of their version, and each version costs ⌈N_version/500⌉ batches
    owner = assert_each_recipient_in_one_batch_of_their_version(queue, audience, req.versions)
    assert set(owner) == set(audience.residents)
    members: dict[int, list[str]] = {}
    for batch in queue.batches:
        assert members.setdefault(batch.batch_number, batch.user_ids) == batch.user_ids
    assert len(members) == minimum_batches(audience, req.versions, set(owner)) == report.batches_planned
    assert report.audience_size == size
    assert sum(report.audience_by_version.values()) == size
    # … and once planning closed, no checkpoint of any version names a resident any more
    state = ledger.plan_state("b1")
    for cp in [*state.checkpoints.values(), *state.tails.values()]:
        assert (cp.done, cp.after, cp.pending, cp.remainder) == (True, None, (), ())


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2500), st.integers(2, 5), st.integers(0, 10_000), st.integers(0, 8))
def test_given_versions_when_workers_run_in_any_order_and_crash_then_each_version_costs_its_minimum(
    size: int, scan_segments: int, seed: int, crash_after: int
) -> None:
    # Given a broadcast in four versions fanned out to workers, which die now and then
    audience, ledger = population(size, seed=seed), FakeLedger(hard_kills=True)
    req = request(EASY, EN, ZH)
    queue = FakeQueue(crash_after=crash_after)
    started: list[int] = []
    plan(
        req,
        audience,
        ledger,
        queue,
        scan_segments=scan_segments,
        owner="planner",
        start_workers=lambda _, segments: started.extend(segments),
    )
    # When Lambda runs the workers in any order, retrying a crashed one with its request id
    rng = random.Random(seed)
    runs = [(segment, f"worker-{segment}") for segment in started]
    for _ in range(200):
        if not runs:
            break
        segment, owner = runs.pop(rng.randrange(len(runs)))
        try:
            plan_segment_worker(
                "b1", segment, ledger=ledger, audience=audience, enqueue=queue.enqueue, lease=lease(owner)
            )
        except Crash:
            runs.append((segment, owner))
    # Then planning closed once, everyone in one batch of their version, at each version's minimum
    report = ledger.report("b1")
    assert report.planning_complete
    owner_of = assert_each_recipient_in_one_batch_of_their_version(queue, audience, req.versions)
    assert set(owner_of) == set(audience.residents)
    assert len({b.batch_number for b in queue.batches}) == minimum_batches(
        audience, req.versions, set(owner_of)
    )


def test_given_a_japanese_only_broadcast_then_batches_keep_the_numbers_they_had_before_versions() -> None:
    # The retry key is uuid5(id, number): a broadcast planned across the upgrade keeps its keys.
    audience, ledger, queue = population(2600), FakeLedger(), FakeQueue()
    plan(request(), audience, ledger, queue, scan_segments=2)
    assert {b.language for b in queue.batches} == {JA}
    full = [b.batch_number for b in queue.batches if len(b.user_ids) == 500]
    assert sorted(full)[:4] == [0, 1, 2, 3]  # index × segments + segment, as before


def test_given_test_recipients_and_versions_then_staff_receive_each_version_once() -> None:
    staff = [user_id(900_001), user_id(900_002)]
    audience, ledger, queue = population(40), FakeLedger(), FakeQueue()
    plan(request(EN, KO, test_user_ids=staff), audience, ledger, queue, scan_segments=4)
    assert sorted((b.language.value, tuple(b.user_ids)) for b in queue.batches) == [
        (version, tuple(staff)) for version in ("en", "ja", "ko")
    ]


def test_given_versions_when_previewed_then_the_audience_is_counted_per_language_and_version() -> None:
    audience = population(3000)
    req = request(EASY, EN)
    result = preview(audience, req.segment, 2026, "2026-04-01", 3, versions=req.versions)
    stored = Counter(audience.languages.get(uid) or "ja" for uid in audience.residents)
    assert result.by_language == dict(stored)
    assert result.by_version == {
        "en": stored["en"],
        "ja": stored["ja"],
        "ja-easy": len(audience.residents) - stored["en"] - stored["ja"],
    }
    assert result.languages_without_version == (Language.ZH_HANS, KO, Language.VI, Language.NE, Language.MY)
    assert result.fallback_version is EASY


def test_the_sender_reads_each_versions_messages_once_per_broadcast() -> None:
    reads: list[str] = []
    req = request(EN)

    def recorded(broadcast_id: str) -> BroadcastRequest:
        reads.append(broadcast_id)
        return req

    cache = MessageCache(recorded)
    assert cache.messages("b1", EN)[0].text == "notice en"  # type: ignore[union-attr]
    assert cache.messages("b1")[0].text == "お知らせ"  # type: ignore[union-attr]
    assert reads == ["b1"]
