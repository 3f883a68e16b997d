"""Broadcasts in every language, against moto and the fake LINE: each resident receives the version of
their own language (else やさしい日本語 when given, else Japanese), recipient by recipient, in
Σ⌈N_version/500⌉ multicasts, through the planning workers (3 scan segments)."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from typing import Any
from unittest import mock

from tests.integration.broadcast.broadcast_stack import BroadcastStack

from civicline.adapters.dynamodb.audience import DynamoAudience
from civicline.domain.broadcast.segment import matches
from civicline.domain.broadcast.versions import Readers
from civicline.models.broadcast.segment import Segment
from civicline.models.language import Language
from civicline.models.resident import ReceptionSettings
from tools.bench.broadcast import seed_users

SEND_YEAR = date.today().year
TEXTS = {
    "ja": "区からのお知らせです。",
    "ja-easy": "くから の おしらせ です。",
    "en": "A notice from the ward.",
    "zh-Hans": "区政府通知。",
    "ko": "구청 알림입니다.",
}
JA = Language.JA
UNSUPPORTED = "fr"  # a language the account has no catalogue in, stored on a record all the same


def messages(language: str) -> list[dict[str, str]]:
    return [{"type": "text", "text": TEXTS[language]}]


def request(broadcast_id: str, *versions: str, **extra: Any) -> dict[str, Any]:
    return {
        "broadcast_id": broadcast_id,
        "messages": messages("ja"),
        "translations": {language: messages(language) for language in versions},
        **extra,
    }


def seed_with_languages(stack: BroadcastStack, count: int) -> dict[str, str | None]:
    """`count` residents in the bench's mix of eight languages (and none stored), plus a few whose
    stored language the account does not know: every active one's stored language."""
    items = stack.seed(count)
    odd = [
        {"userId": {"S": f"U{'e' * 30}{n:02d}"}, "status": {"S": "active"}, "language": {"S": UNSUPPORTED}}
        for n in range(5)
    ]
    seed_users(stack.dynamodb, stack.users_table, iter(odd))
    return {
        item["userId"]["S"]: item.get("language", {}).get("S")
        for item in [*items, *odd]
        if item["status"]["S"] == "active"
    }


def received(stack: BroadcastStack) -> dict[str, list[str]]:
    """Each resident's texts, per the fake LINE's accepted multicasts (one entry per delivery)."""
    texts: dict[str, list[str]] = {}
    for call in stack.multicasts():
        text = call["body"]["messages"][0]["text"]
        for uid in call["body"]["to"]:
            texts.setdefault(uid, []).append(text)
    return texts


def test_given_three_versions_when_sent_then_each_resident_receives_their_own_once_and_the_rest_japanese(
    stack: BroadcastStack,
) -> None:
    # Given residents in eight languages, some with none stored and some with one the account lacks
    languages = seed_with_languages(stack, 1500)
    # When staff send a broadcast in Japanese, English and Chinese
    stack.plan(request("b-three", "en", "zh-Hans"))
    stack.drain()
    # Then every resident received exactly one message: English and Chinese readers their own, every
    # other reader (none stored, やさしい日本語 without a version, Korean, Nepali, French…) Japanese
    texts = received(stack)
    assert set(texts) == set(languages)
    for uid, stored in languages.items():
        own = stored if stored in ("en", "zh-Hans") else "ja"
        assert texts[uid] == [TEXTS[own]], (uid, stored)
    # … in ⌈N/500⌉ multicasts per version, and the report counts each version's audience
    by_version = Counter(texts[uid][0] for uid in texts)
    audience = {language: by_version[TEXTS[language]] for language in ("ja", "en", "zh-Hans")}
    assert len(stack.multicasts()) == sum(math.ceil(n / 500) for n in audience.values())
    report = stack.report("b-three")
    assert report["status"] == "done"
    assert report["audienceByVersion"] == audience
    assert report["recipientsSent"] == len(languages)


def test_given_a_yasashii_version_then_readers_without_their_own_receive_it_and_japanese_readers_japanese(
    stack: BroadcastStack,
) -> None:
    # Given residents in eight languages
    languages = seed_with_languages(stack, 1500)
    # When the broadcast has Japanese, やさしい日本語 and English
    stack.plan(request("b-easy", "ja-easy", "en"))
    stack.drain()
    # Then English readers read English, Japanese readers (and those with none stored) Japanese, and
    # everyone else, the unknown language included, やさしい日本語
    texts = received(stack)
    for uid, stored in languages.items():
        if stored == "en":
            own = "en"
        elif stored in (None, "ja"):
            own = "ja"
        else:
            own = "ja-easy"
        assert texts[uid] == [TEXTS[own]], (uid, stored)


def test_given_versions_when_dry_run_then_the_audience_is_shown_per_language_and_the_missing_versions(
    stack: BroadcastStack,
) -> None:
    languages = seed_with_languages(stack, 1200)
    answer = stack.plan(request("dry-lang", "en", "zh-Hans", dry_run=True))
    stored = Counter(language or "ja" for language in languages.values())
    assert answer["byLanguage"] == dict(stored)
    assert answer["byVersion"] == {
        "en": stored["en"],
        "zh-Hans": stored["zh-Hans"],
        "ja": len(languages) - stored["en"] - stored["zh-Hans"],
    }
    assert answer["languagesWithoutVersion"] == ["ja-easy", "ko", "vi", "ne", "my"]
    assert answer["fallbackVersion"] == "ja"
    assert stack.multicasts() == []


def test_given_a_segment_by_language_then_only_residents_of_those_languages_receive_it(
    stack: BroadcastStack,
) -> None:
    # Given residents in eight languages
    items = stack.seed(2000)
    segment = {
        "languages": ["ko", "vi"],
        "areas": {"any_of": ["okubo", "totsuka"], "include_unanswered": True},
    }
    # When staff send to Korean and Vietnamese readers of 大久保 and 戸塚, with a Korean version
    stack.plan(request("b-seg-lang", "ko", segment=segment))
    stack.drain()
    # Then exactly they received it (DynamoDB's filter agreeing with the domain), Korean readers the
    # Korean version and Vietnamese readers the Japanese one
    parsed = Segment.model_validate(segment)
    expected = {
        item["userId"]["S"]: item.get("language", {}).get("S")
        for item in items
        if item["status"]["S"] == "active"
        and matches(
            parsed,
            ReceptionSettings(area=item.get("area", {}).get("S")),
            SEND_YEAR,
            item.get("language", {}).get("S"),
        )
    }
    texts = received(stack)
    assert set(texts) == set(expected)
    assert expected
    for uid, stored in expected.items():
        assert texts[uid] == [TEXTS["ko" if stored == "ko" else "ja"]]


def test_given_japanese_readers_when_segmented_by_ja_then_those_with_no_language_stored_are_included(
    stack: BroadcastStack,
) -> None:
    languages = seed_with_languages(stack, 800)
    answer = stack.plan(request("dry-ja", segment={"languages": ["ja"]}, dry_run=True))
    assert answer["audienceSize"] == sum(1 for stored in languages.values() if stored in (None, "ja"))


def test_given_versions_and_line_faults_then_nobody_receives_twice_or_in_another_language(
    stack: BroadcastStack,
) -> None:
    languages = seed_with_languages(stack, 1800)
    stack.fake.set_faults(
        {
            "seed": 13,
            "endpoints": {
                "multicast": {"rate_limited": 0.10, "server_error": 0.05, "accepted_then_dropped": 0.05}
            },
        }
    )
    with mock.patch("civicline.domain.broadcast.sender.backoff_seconds", return_value=0.0):
        stack.plan(request("b-faults-lang", "ja-easy", "en", "zh-Hans"))
        stack.drain()
    texts = received(stack)
    assert set(texts) == set(languages)
    assert all(len(got) == 1 for got in texts.values())
    assert stack.report("b-faults-lang")["status"] == "done"


def test_given_test_recipients_and_versions_then_staff_receive_every_version(stack: BroadcastStack) -> None:
    staff = [f"U{'f' * 31}{n}" for n in range(2)]
    stack.plan(request("b-test-lang", "ja-easy", "en", test_user_ids=staff))
    stack.drain()
    texts = received(stack)
    assert set(texts) == set(staff)
    for uid in staff:
        assert sorted(texts[uid]) == sorted(TEXTS[v] for v in ("ja", "ja-easy", "en"))


def test_given_versions_then_dynamodbs_filter_returns_exactly_each_versions_readers(
    stack: BroadcastStack,
) -> None:
    # Given residents in eight languages, none stored and unknown ones
    languages = seed_with_languages(stack, 1000)
    audience = DynamoAudience(stack.dynamodb, stack.users_table)
    for versions in [(JA,), (JA, Language.EN, Language.ZH_HANS), (JA, Language.JA_EASY, Language.KO)]:
        for version in versions:
            # When one version's readers are read with the filter pushed down to DynamoDB
            readers = Readers(version, versions)
            read = {m.user_id for m in audience.stream(Segment(), SEND_YEAR, 0, 1, None, readers=readers)}
            # Then DynamoDB returned exactly the residents the domain's rule gives that version
            assert read == {uid for uid, stored in languages.items() if readers.includes(stored)}
