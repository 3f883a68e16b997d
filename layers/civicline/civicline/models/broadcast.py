"""A segmented broadcast: what staff ask for, the batches it is cut into, and what it became.

Segments are written by staff (YAML/JSON request files), so they read like the 受信設定 screen:

    segment:
      birth_years: {from: 1950, to: 1965}      # or  age: {min: 65, max: 74}  (on the send date)
      genders: [female]                         # shorthand for {any_of: [female]}
      areas: {any_of: [yotsuya, tansu], include_unanswered: true}
      genres: {all_of: [kenko, koreisha]}       # or any_of
      exclude:
        areas: [outside]                        # not 区外

Conditions are ANDed across dimensions; a dimension without a condition is not restricted. A resident
who left a dimension unanswered (None in ReceptionSettings) matches a condition on that dimension only
when the condition says `include_unanswered: true`; likewise an exclusion removes unanswered residents
only when it says so (we do not know that someone who did not answer lives 区外). An empty segment
means every active follower. Blocked residents never receive anything, whatever the segment.

Message fields follow LINE's own names (`originalContentUrl`, `altText`), so a Flex message can be pasted
from LINE's Flex Message Simulator as it is.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from civicline.models.city import load_city
from civicline.models.resident import LINE_USER_ID_PATTERN

MULTICAST_MAX_RECIPIENTS = 500  # LINE: 1–500 user IDs per multicast
MAX_MESSAGES = 5
TEXT_MAX_CHARS = 5000
ALT_TEXT_MAX_CHARS = 1500
BROADCAST_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class _CamelCase(_Frozen):
    """Wire models (LINE's fields, queue messages, table items, reports) use camelCase names."""

    model_config = ConfigDict(alias_generator=to_camel)


# ---------------------------------------------------------------- messages


class TextMessage(_Frozen):
    type: Literal["text"] = "text"
    text: str = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _line_length(cls, value: str) -> str:
        # LINE counts UTF-16 code units: an emoji outside the BMP takes two of the 5,000.
        if len(value.encode("utf-16-le")) // 2 > TEXT_MAX_CHARS:
            raise ValueError(f"text is longer than {TEXT_MAX_CHARS} characters")
        return value


class ImageMessage(_CamelCase):
    type: Literal["image"] = "image"
    original_content_url: HttpUrl
    preview_image_url: HttpUrl

    @field_validator("original_content_url", "preview_image_url")
    @classmethod
    def _https(cls, url: HttpUrl) -> HttpUrl:
        if url.scheme != "https":
            raise ValueError("LINE only loads images over https")
        return url


class FlexMessage(_CamelCase):
    type: Literal["flex"] = "flex"
    alt_text: str = Field(min_length=1, max_length=ALT_TEXT_MAX_CHARS)
    contents: dict[str, Any]

    @model_validator(mode="after")
    def _line_shape(self) -> FlexMessage:
        # The SDK's own models (pydantic v1) know every Flex component; imported here only, because
        # loading linebot.v3.messaging costs about a second and most requests carry no Flex message.
        from linebot.v3.messaging import FlexMessage as SdkFlexMessage  # noqa: PLC0415

        try:
            SdkFlexMessage.from_dict(self.line_dict())
        except (ValueError, TypeError) as error:
            raise ValueError(f"contents is not a valid Flex message: {error}") from None
        return self

    def line_dict(self) -> dict[str, Any]:
        return {"type": "flex", "altText": self.alt_text, "contents": self.contents}


BroadcastMessage = Annotated[TextMessage | ImageMessage | FlexMessage, Field(discriminator="type")]


# ---------------------------------------------------------------- segments


class Dimension(StrEnum):
    BIRTH_YEAR = "birth_year"
    GENDER = "gender"
    AREA = "area"
    GENRES = "genres"


def _choices_shorthand(value: Any) -> Any:
    """`[a, b]` is short for `{any_of: [a, b]}`."""
    if isinstance(value, list | tuple | set | frozenset):
        return {"any_of": list(value)}
    return value


class YearRange(_Frozen):
    """Born from `from` to `to`, both years included; either end may be open."""

    from_year: int | None = Field(default=None, alias="from", ge=1850, le=2200)
    to_year: int | None = Field(default=None, alias="to", ge=1850, le=2200)
    include_unanswered: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> YearRange:
        if self.from_year is None and self.to_year is None:
            raise ValueError("a birth year range needs `from`, `to` or both")
        if self.from_year is not None and self.to_year is not None and self.from_year > self.to_year:
            raise ValueError("`from` is after `to`")
        return self


class AgeBand(_Frozen):
    """Aged `min` to `max` (both included) in the send year, from the birth year alone.

    We only know birth years, so the age is the one the resident reaches on their birthday in the year
    of the send date (数え方: 満年齢 at the end of that year). 65–74 in 2026 means born 1952–1961.
    """

    min_age: int | None = Field(default=None, alias="min", ge=0, le=150)
    max_age: int | None = Field(default=None, alias="max", ge=0, le=150)
    include_unanswered: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> AgeBand:
        if self.min_age is None and self.max_age is None:
            raise ValueError("an age band needs `min`, `max` or both")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("`min` is above `max`")
        return self

    def birth_years(self, send_year: int) -> YearRange:
        return YearRange.model_validate(
            {
                "from": None if self.max_age is None else send_year - self.max_age,
                "to": None if self.min_age is None else send_year - self.min_age,
                "include_unanswered": self.include_unanswered,
            }
        )


class ChoiceCondition(_Frozen):
    """The resident's single answer (gender, area) is one of `any_of`."""

    any_of: frozenset[str] = Field(min_length=1)
    include_unanswered: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _choices_shorthand(value)


class GenreMatch(StrEnum):
    ANY = "any"
    ALL = "all"


class GenreCondition(_Frozen):
    """The resident chose at least one of `any_of`, or every one of `all_of` (give exactly one)."""

    any_of: frozenset[str] | None = Field(default=None, min_length=1)
    all_of: frozenset[str] | None = Field(default=None, min_length=1)
    include_unanswered: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _choices_shorthand(value)

    @model_validator(mode="after")
    def _one_mode(self) -> GenreCondition:
        if (self.any_of is None) == (self.all_of is None):
            raise ValueError("give genres as exactly one of `any_of` or `all_of`")
        return self

    @property
    def match(self) -> GenreMatch:
        return GenreMatch.ANY if self.any_of is not None else GenreMatch.ALL

    @property
    def genres(self) -> frozenset[str]:
        return self.any_of if self.any_of is not None else (self.all_of or frozenset())


class SegmentConditions(_Frozen):
    birth_years: YearRange | None = None
    age: AgeBand | None = None
    genders: ChoiceCondition | None = None
    areas: ChoiceCondition | None = None
    genres: GenreCondition | None = None

    @model_validator(mode="after")
    def _known_ids(self) -> SegmentConditions:
        if self.birth_years is not None and self.age is not None:
            raise ValueError("give either `birth_years` or `age`, not both")
        city = load_city()
        checks = (
            ("genders", self.genders.any_of if self.genders else frozenset(), city.gender_ids()),
            ("areas", self.areas.any_of if self.areas else frozenset(), city.area_ids()),
            ("genres", self.genres.genres if self.genres else frozenset(), city.genre_ids()),
        )
        for name, given, known in checks:
            unknown = given - known
            if unknown:
                raise ValueError(f"unknown {name}: {sorted(unknown)} (known: {sorted(known)})")
        return self

    def is_empty(self) -> bool:
        return all(
            value is None for value in (self.birth_years, self.age, self.genders, self.areas, self.genres)
        )

    def birth_year_range(self, send_year: int) -> YearRange | None:
        if self.age is not None:
            return self.age.birth_years(send_year)
        return self.birth_years


class Exclusion(SegmentConditions):
    """Residents matching ANY of these conditions are left out (each condition on its own)."""


class Segment(SegmentConditions):
    """Residents matching ALL of these conditions, minus the excluded ones."""

    exclude: Exclusion = Exclusion()

    def is_everyone(self) -> bool:
        return self.is_empty() and self.exclude.is_empty()


# ---------------------------------------------------------------- request, batches, report


class BroadcastRequest(_Frozen):
    broadcast_id: str | None = Field(default=None, pattern=BROADCAST_ID_PATTERN)
    title: str = Field(default="", max_length=100)  # for staff reports; never sent to residents
    messages: list[BroadcastMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    segment: Segment = Segment()
    send_at: AwareDatetime | None = None
    dry_run: bool = False
    # テスト配信: when given, the messages go to these staff accounts only, never to the segment.
    test_user_ids: list[Annotated[str, Field(pattern=LINE_USER_ID_PATTERN)]] = Field(
        default_factory=list, max_length=MULTICAST_MAX_RECIPIENTS
    )

    @field_validator("test_user_ids")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @property
    def is_test(self) -> bool:
        return bool(self.test_user_ids)


class BroadcastBatch(_CamelCase):
    """One multicast's worth of recipients, as it travels on the broadcast-batches queue."""

    broadcast_id: str = Field(pattern=BROADCAST_ID_PATTERN)
    batch_number: int = Field(ge=0)
    user_ids: list[Annotated[str, Field(pattern=LINE_USER_ID_PATTERN)]] = Field(
        min_length=1, max_length=MULTICAST_MAX_RECIPIENTS
    )

    def __repr__(self) -> str:  # ids are pseudonymous, but a thousand of them in a log line help nobody
        return f"BroadcastBatch({self.broadcast_id}#{self.batch_number}, {len(self.user_ids)} recipients)"

    __str__ = __repr__


class BroadcastStatus(StrEnum):
    SCHEDULED = "scheduled"  # recorded; its one-time schedule starts it at send_at
    PLANNED = "planned"
    SENDING = "sending"
    DONE = "done"
    PARTIALLY_FAILED = "partially_failed"


class AudiencePreview(_CamelCase):
    """What a dry run answers: how many would receive it, by area (`unanswered` for no area)."""

    audience_size: int = Field(ge=0)
    by_area: dict[str, int]
    send_date: str


class BatchFailure(_CamelCase):
    batch_number: int
    recipients: int
    status: int | None  # LINE's HTTP status; None when no answer came
    message: str  # LINE's error message and details, never recipients


class BroadcastReport(_CamelCase):
    broadcast_id: str
    title: str = ""
    status: BroadcastStatus
    test: bool = False
    created_at: datetime
    send_date: str
    send_at: datetime | None = None  # None: sent as soon as it was planned
    planning_complete: bool
    audience_size: int  # recipients enqueued so far
    batches_planned: int
    batches_sent: int
    recipients_sent: int
    batches_failed: int
    recipients_failed: int
    batches_completed: int = 0  # sent + failed: the broadcast is over when it reaches batches_planned
    retries: int
    already_accepted: int  # 409: LINE had this batch already
    failures: tuple[BatchFailure, ...] = ()


class PlanCheckpoint(_CamelCase):
    """How far the planner got in one recipient stream, saved just before each batch is enqueued.

    The streams are the parallel Scan's segments, then the tail (their remainders merged). `pending`
    is the batch being enqueued, recipients and all: a planner that dies before or after the enqueue
    re-enqueues exactly that batch under the same number when it is invoked again (the retry key makes
    a second copy harmless), and carries on from its last recipient. Nobody can move into another
    batch, so nobody can receive the message twice, whatever residents did in between.

    A scan segment enqueues full batches only; its last, partial one is kept as `remainder` when the
    segment is done, and the tail cuts all the segments' remainders together, so a broadcast costs
    ⌈N/500⌉ multicasts, not one partial batch per segment more.
    """

    after: str | None = None  # last recipient of the last batch enqueued (a scan position)
    next_index: int = Field(default=0, ge=0)
    recipients: int = Field(default=0, ge=0)  # recipients in the batches enqueued so far
    pending: tuple[str, ...] = Field(default=(), max_length=MULTICAST_MAX_RECIPIENTS)
    remainder: tuple[str, ...] = Field(default=(), max_length=MULTICAST_MAX_RECIPIENTS - 1)
    done: bool = False
