"""Intake of one application: stored once, or refused while the same kind is pending."""

from __future__ import annotations

import pytest
from tests.unit.applications.applications_fakes import NOW, FakeSealer, InMemoryApplications, application

from civicline.domain.applications.errors import PendingGuardTaken
from civicline.domain.applications.intake import Intake
from civicline.domain.applications.records import ApplicationStatus


@pytest.fixture
def store() -> InMemoryApplications:
    return InMemoryApplications()


@pytest.fixture
def intake(store: InMemoryApplications) -> Intake:
    return Intake(store, FakeSealer(), clock=lambda: NOW)


def test_a_first_application_is_stored_with_a_number_status_and_sealed_answers(
    store: InMemoryApplications, intake: Intake
) -> None:
    # Given no application yet / When one arrives
    outcome = intake.receive(application())
    # Then it is stored as received, numbered from the JST day, its answers sealed and masked
    assert outcome.result == "stored"
    assert outcome.reception_number == "KH-20261127-0001"
    record = store.applications[application().submission_id]
    assert record.status is ApplicationStatus.RECEIVED
    assert record.pii == f"sealed:{record.application_id}:koho_delivery"
    assert record.pii_masked["phone"] == "090-****-5678"
    assert record.received_at == NOW


def test_the_same_submission_again_is_answered_from_the_store(
    store: InMemoryApplications, intake: Intake
) -> None:
    # Given a stored application (its idempotency record lost, e.g. a crash before it was written)
    first = intake.receive(application())
    # When the same submission arrives again
    second = intake.receive(application())
    # Then the answer is the same, with no second item and no second number drawn
    assert second == first
    assert len(store.applications) == 1
    assert store.counters == {("KH", NOW.date()): 1}


def test_another_submission_of_a_pending_kind_is_refused_with_the_pending_number(
    store: InMemoryApplications, intake: Intake
) -> None:
    first = intake.receive(application("c1"))
    # When the resident submits 新規申込 again from another conversation
    second = intake.receive(application("c2"))
    # Then it is refused, naming the pending application, and nothing is stored or numbered
    assert second.result == "refused_pending"
    assert second.reception_number == first.reception_number
    assert len(store.applications) == 1
    assert store.counters[("KH", NOW.date())] == 1


def test_another_kind_is_not_a_duplicate(store: InMemoryApplications, intake: Intake) -> None:
    intake.receive(application("c1", kind="new"))
    outcome = intake.receive(application("c2", kind="change_address"))
    assert outcome.result == "stored"
    assert outcome.reception_number == "KH-20261127-0002"


def test_once_exported_the_guard_is_released_to_the_next_application(
    store: InMemoryApplications, intake: Intake
) -> None:
    # Given a first application the ward has exported
    intake.receive(application("c1"))
    store.set_status(application("c1").submission_id, ApplicationStatus.EXPORTED)
    # When the resident applies for the same kind again
    outcome = intake.receive(application("c2"))
    # Then it is stored and holds the guard from now on
    assert outcome.result == "stored"
    assert store.guards[(application().user_id, "koho_delivery", "new")][0] == application("c2").submission_id


def test_a_guard_whose_application_is_gone_is_released(store: InMemoryApplications, intake: Intake) -> None:
    intake.receive(application("c1"))
    del store.applications[application("c1").submission_id]  # purged by TTL
    assert intake.receive(application("c2")).result == "stored"


def test_losing_the_race_to_a_concurrent_submission_refuses(
    store: InMemoryApplications, intake: Intake
) -> None:
    # Given another submission of the same kind that takes the guard just before our write
    rival = Intake(store, FakeSealer(), clock=lambda: NOW)
    store.before_add.append(lambda: rival.receive(application("c9")))
    # When ours is written
    outcome = intake.receive(application("c1"))
    # Then ours is refused in favour of the rival's, and only the rival's is stored
    assert outcome.result == "refused_pending"
    assert list(store.applications) == [application("c9").submission_id]
    assert outcome.reception_number == store.applications[application("c9").submission_id].reception_number


def test_losing_the_race_to_the_same_submission_answers_as_it_did(
    store: InMemoryApplications, intake: Intake
) -> None:
    twin = Intake(store, FakeSealer(), clock=lambda: NOW)
    store.before_add.append(lambda: twin.receive(application("c1")))
    outcome = intake.receive(application("c1"))
    assert outcome.result == "stored"
    assert len(store.applications) == 1
    assert outcome.reception_number == store.applications[application("c1").submission_id].reception_number


def test_a_guard_released_again_during_the_race_fails_for_a_retry(
    store: InMemoryApplications, intake: Intake
) -> None:
    # Given a rival that takes the guard, then is exported before we look again
    def rival_then_exported() -> None:
        Intake(store, FakeSealer(), clock=lambda: NOW).receive(application("c9"))
        store.set_status(application("c9").submission_id, ApplicationStatus.EXPORTED)

    store.before_add.append(rival_then_exported)
    # Then the record fails (SQS retries it, and the retry takes the released guard)
    with pytest.raises(PendingGuardTaken):
        intake.receive(application("c1"))
    assert intake.receive(application("c1")).result == "stored"


def test_the_outcome_kept_for_idempotency_holds_ids_only(intake: Intake) -> None:
    dumped = intake.receive(application()).model_dump_json()
    for plain in ("山田", "西新宿", "9012345678", "ヤマダ"):
        assert plain not in dumped
