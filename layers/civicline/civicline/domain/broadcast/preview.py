"""A dry run: who a broadcast would reach, counted by area, by language and by the version each receives.

The audience is read once (every version at once) and nobody's id is kept.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from civicline.domain.broadcast.segment import matches
from civicline.domain.broadcast.streams import AudienceSource
from civicline.domain.broadcast.versions import (
    fallback_version,
    languages_without_version,
    own_language,
    version_for,
)
from civicline.models.broadcast.report import AudiencePreview
from civicline.models.broadcast.segment import Segment
from civicline.models.language import DEFAULT_LANGUAGE, Language

UNANSWERED = "unanswered"


def preview(
    audience: AudienceSource,
    segment: Segment,
    send_year: int,
    send_date: str,
    scan_segments: int,
    *,
    versions: tuple[Language, ...] = (DEFAULT_LANGUAGE,),
) -> AudiencePreview:
    """Count the audience by area, by language and by the version each would receive (one read of the
    audience, every version at once), without keeping anyone's id."""

    def count(scan_segment: int) -> tuple[Counter[str], Counter[str], Counter[str]]:
        by_area: Counter[str] = Counter()
        by_language: Counter[str] = Counter()
        by_version: Counter[str] = Counter()
        for member in audience.stream(segment, send_year, scan_segment, scan_segments, None):
            if matches(segment, member.settings, send_year, member.language):
                by_area[member.settings.area or UNANSWERED] += 1
                by_language[own_language(member.language)] += 1
                by_version[version_for(member.language, versions).value] += 1
        return by_area, by_language, by_version

    areas: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    delivered: Counter[str] = Counter()
    with ThreadPoolExecutor(max_workers=scan_segments, thread_name_prefix="preview") as pool:
        for by_area, by_language, by_version in pool.map(count, range(scan_segments)):
            areas.update(by_area)
            languages.update(by_language)
            delivered.update(by_version)
    return AudiencePreview(
        audience_size=sum(areas.values()),
        by_area=dict(areas),
        send_date=send_date,
        by_language=dict(languages),
        by_version=dict(delivered),
        languages_without_version=languages_without_version(versions),
        fallback_version=fallback_version(versions),
    )
