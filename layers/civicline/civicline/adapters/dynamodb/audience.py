"""Streaming a broadcast's audience out of the Users table (parallel Scan segments, page by page).

Why a Scan and not a GSI: see docs/broadcasts.md (measured). In short, a 1M-resident Scan costs about
40,000 read units (a few yen) and seconds with parallel segments, and needs nothing from the writers of
Users; an index would tax every follow and every 受信設定 change to save that.

Only the attributes a segment needs are projected (never display names or icons), with the
resident's `language` (which version they receive). The segment, and when a request has several
versions the readers of the one being planned, are pushed down as a FilterExpression so that DynamoDB
returns only likely recipients; the caller checks each one again with the domain's `matches` and
`Readers.includes`, which remain the definitions. Items are parsed from the
low-level wire format directly: the resource layer's deserialiser would cost more than the Scan.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import unavailable
from civicline.domain.broadcast.streams import AudienceMember
from civicline.domain.broadcast.versions import Readers
from civicline.models.broadcast.segment import (
    ChoiceCondition,
    GenreCondition,
    GenreMatch,
    LanguageCondition,
    Segment,
    SegmentConditions,
)
from civicline.models.broadcast.segment import YearRange as _YearRange
from civicline.models.language import DEFAULT_LANGUAGE
from civicline.models.resident import FollowStatus, ReceptionSettings

_NAMES = {
    "#userId": "userId",
    "#status": "status",
    "#birthYear": "birthYear",
    "#gender": "gender",
    "#area": "area",
    "#genres": "genres",
    "#language": "language",
}
_PROJECTION = "#userId, #birthYear, #gender, #area, #genres, #language"


@dataclass
class ScanStats:
    """What the scans read, for the benchmark and the logs (counts only)."""

    pages: int = 0
    scanned: int = 0
    returned: int = 0
    read_units: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, page: dict[str, Any]) -> None:
        with self._lock:
            self.pages += 1
            self.scanned += int(page.get("ScannedCount", 0))
            self.returned += int(page.get("Count", 0))
            self.read_units += float((page.get("ConsumedCapacity") or {}).get("CapacityUnits", 0.0))


class _Filter:
    """Builds a FilterExpression with numbered placeholders."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {":active": {"S": FollowStatus.ACTIVE.value}}

    def _value(self, wire: dict[str, Any]) -> str:
        name = f":v{len(self.values)}"
        self.values[name] = wire
        return name

    @staticmethod
    def _unanswered(attribute: str, include: bool, expression: str) -> str:
        return f"(attribute_not_exists({attribute}) OR {expression})" if include else f"({expression})"

    def years(self, condition: _YearRange) -> str:
        bounds = []
        if condition.from_year is not None:
            bounds.append(f"#birthYear >= {self._value({'N': str(condition.from_year)})}")
        if condition.to_year is not None:
            bounds.append(f"#birthYear <= {self._value({'N': str(condition.to_year)})}")
        return self._unanswered("#birthYear", condition.include_unanswered, " AND ".join(bounds))

    def choice(self, attribute: str, condition: ChoiceCondition) -> str:
        placeholders = ", ".join(self._value({"S": value}) for value in sorted(condition.any_of))
        return self._unanswered(attribute, condition.include_unanswered, f"{attribute} IN ({placeholders})")

    def genres(self, condition: GenreCondition) -> str:
        joiner = " OR " if condition.match is GenreMatch.ANY else " AND "
        tests = joiner.join(
            f"contains(#genres, {self._value({'S': genre})})" for genre in sorted(condition.genres)
        )
        return self._unanswered("#genres", condition.include_unanswered, tests)

    def _languages_in(self, languages: frozenset[str] | tuple[str, ...]) -> str:
        """The stored language is one of these (none stored counts as Japanese)."""
        placeholders = ", ".join(self._value({"S": value}) for value in sorted(languages))
        test = f"#language IN ({placeholders})"
        if DEFAULT_LANGUAGE in languages:
            return f"(attribute_not_exists(#language) OR {test})"
        return f"({test})"

    def languages(self, condition: LanguageCondition) -> str:
        return self._languages_in(frozenset(language.value for language in condition.any_of))

    def readers(self, readers: Readers) -> str | None:
        """One version's readers: its own language, or for the fallback version every language but
        the other versions' (unknown ones included, as in versions.version_for)."""
        if readers.everyone:
            return None
        if not readers.is_fallback:
            return self._languages_in((readers.version.value,))
        others = self._languages_in(tuple(v.value for v in readers.others))
        if DEFAULT_LANGUAGE in readers.others:
            return f"NOT {others}"  # none stored reads Japanese: `others` already holds them
        # Written out rather than left to NOT: a missing attribute must read as Japanese here too.
        return f"(attribute_not_exists(#language) OR NOT {others})"

    def conditions(self, conditions: SegmentConditions, send_year: int) -> list[str]:
        parts = []
        years = conditions.birth_year_range(send_year)
        if years is not None:
            parts.append(self.years(years))
        if conditions.genders is not None:
            parts.append(self.choice("#gender", conditions.genders))
        if conditions.areas is not None:
            parts.append(self.choice("#area", conditions.areas))
        if conditions.genres is not None:
            parts.append(self.genres(conditions.genres))
        if conditions.languages is not None:
            parts.append(self.languages(conditions.languages))
        return parts

    def segment(self, segment: Segment, send_year: int, readers: Readers | None) -> str:
        parts = ["#status = :active", *self.conditions(segment, send_year)]
        parts += [f"NOT {part}" for part in self.conditions(segment.exclude, send_year)]
        version = self.readers(readers) if readers is not None else None
        if version is not None:
            parts.append(version)
        return " AND ".join(parts)


def filter_expression(
    segment: Segment, send_year: int, readers: Readers | None = None
) -> tuple[str, dict[str, Any]]:
    """The segment (and one version's readers) as a DynamoDB FilterExpression and its values (wire)."""
    builder = _Filter()
    return builder.segment(segment, send_year, readers), builder.values


def _member(item: dict[str, Any]) -> AudienceMember:
    genres = item.get("genres", {}).get("SS")
    birth_year = item.get("birthYear", {}).get("N")
    settings = ReceptionSettings.model_construct(
        birth_year=int(birth_year) if birth_year is not None else None,
        gender=item.get("gender", {}).get("S"),
        area=item.get("area", {}).get("S"),
        genres=frozenset(genres) if genres else None,
    )
    return AudienceMember(item["userId"]["S"], settings, item.get("language", {}).get("S"))


class DynamoAudience:
    """AudienceSource over the Users table, through a plain client (adapters.dynamodb.wire_client)."""

    def __init__(self, client: Any, table_name: str, page_limit: int | None = None) -> None:
        self._table_name = table_name
        self._client = client
        self._page_limit = page_limit  # None: DynamoDB's 1 MB pages
        self.stats = ScanStats()

    def estimated_size(self) -> int:
        """Users' item count as DynamoDB last published it (about every six hours): enough to size
        the fan-out, which only needs the order of magnitude."""
        try:
            described = self._client.describe_table(TableName=self._table_name)
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Users.describe_table") from error
        return int(described["Table"].get("ItemCount", 0))

    def stream(
        self,
        segment: Segment,
        send_year: int,
        scan_segment: int,
        scan_segments: int,
        after: str | None,
        *,
        readers: Readers | None = None,
    ) -> Iterator[AudienceMember]:
        expression, values = filter_expression(segment, send_year, readers)
        request: dict[str, Any] = {
            "TableName": self._table_name,
            "ProjectionExpression": _PROJECTION,
            "FilterExpression": expression,
            "ExpressionAttributeNames": _NAMES,
            "ExpressionAttributeValues": values,
            "ReturnConsumedCapacity": "TOTAL",
        }
        if scan_segments > 1:
            request |= {"Segment": scan_segment, "TotalSegments": scan_segments}
        if self._page_limit:
            request["Limit"] = self._page_limit
        start_key = {"userId": {"S": after}} if after is not None else None
        while True:
            if start_key is not None:
                request["ExclusiveStartKey"] = start_key
            try:
                page = self._client.scan(**request)
            except (ClientError, BotoCoreError) as error:
                raise unavailable(error, "Users.scan") from error
            self.stats.add(page)
            for item in page.get("Items", ()):
                yield _member(item)
            start_key = page.get("LastEvaluatedKey")
            if start_key is None:
                return
