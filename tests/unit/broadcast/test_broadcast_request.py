"""The broadcast request staff write: what is accepted and what is refused before anything is sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from civicline.models.broadcast.request import BroadcastRequest

TEXT = {"type": "text", "text": "お知らせ"}
BUBBLE = {
    "type": "bubble",
    "body": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": "a"}]},
}


def parse(**fields: Any) -> BroadcastRequest:
    return BroadcastRequest.model_validate({"messages": [TEXT], **fields})


def test_given_the_shorthand_list_then_it_reads_as_any_of() -> None:
    request = parse(segment={"areas": ["yotsuya"], "exclude": {"areas": ["outside"]}})
    assert request.segment.areas is not None
    assert request.segment.areas.any_of == {"yotsuya"}
    assert not request.segment.areas.include_unanswered
    assert request.segment.exclude.areas is not None


def test_given_text_image_and_flex_then_all_are_accepted() -> None:
    request = BroadcastRequest.model_validate(
        {
            "messages": [
                TEXT,
                {
                    "type": "image",
                    "originalContentUrl": "https://x.jp/a.jpg",
                    "previewImageUrl": "https://x.jp/p.jpg",
                },
                {"type": "flex", "altText": "防災", "contents": BUBBLE},
            ]
        }
    )
    assert [m.type for m in request.messages] == ["text", "image", "flex"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"messages": []}, "at least 1"),
        ({"messages": [TEXT] * 6}, "at most 5"),
        ({"messages": [{"type": "text", "text": "あ" * 5001}]}, "5000"),
        ({"messages": [{"type": "text", "text": "😀" * 2501}]}, "5000"),  # UTF-16: 2 units each
        (
            {
                "messages": [
                    {
                        "type": "image",
                        "originalContentUrl": "http://x.jp/a.jpg",
                        "previewImageUrl": "https://x.jp/p.jpg",
                    }
                ]
            },
            "https",
        ),
        ({"messages": [{"type": "flex", "altText": "x", "contents": {"type": "bubblegum"}}]}, "Flex"),
        ({"messages": [{"type": "sticker"}]}, "does not match any of the expected tags"),
        ({"segment": {"areas": ["atlantis"]}}, "unknown areas"),
        ({"segment": {"genres": {"any_of": ["kenko"], "all_of": ["bousai"]}}}, "exactly one"),
        ({"segment": {"age": {"min": 65}, "birth_years": {"from": 1950}}}, "not both"),
        ({"segment": {"birth_years": {"from": 1970, "to": 1960}}}, "after"),
        ({"test_user_ids": ["not-a-user"]}, "pattern"),
        ({"broadcast_id": "has space"}, "pattern"),
        ({"send_at": "2026-04-01T09:00:00"}, "timezone"),
    ],
)
def test_given_an_invalid_request_then_it_is_refused_with_the_reason(
    fields: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        parse(**fields)


def test_given_an_age_band_then_birth_years_follow_the_send_year() -> None:
    request = parse(segment={"age": {"min": 65, "max": 74, "include_unanswered": True}})
    assert request.segment.age is not None
    years = request.segment.age.birth_years(2026)
    assert (years.from_year, years.to_year, years.include_unanswered) == (1952, 1961, True)


def test_every_sample_request_in_events_is_a_valid_request() -> None:
    samples = sorted((Path(__file__).parents[3] / "events" / "broadcast").glob("*.*"))
    assert samples
    for path in samples:
        loaded = json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
        BroadcastRequest.model_validate(loaded)
