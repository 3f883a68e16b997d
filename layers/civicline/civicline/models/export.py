"""Staff exports: what staff (or the schedule) ask for, how the function is tuned, and what it answers.

An export turns one form's applications into a CSV in the export bucket and hands back a short-lived
presigned link. Two modes:

- watermark (the default, and every scheduled run): the applications received since the previous
  export's watermark, each exported exactly once (see `civicline.domain.export.watermark`);
- range (`from`/`to` given): a re-export of what was received in that period, exported or not; it
  marks nothing and leaves the watermark where it is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from civicline.models.forms import FORM_ID_PATTERN
from civicline.ward_time import as_ward_time, ward_day_start

DEFAULT_FORM_ID = "koho_delivery"
# S3 allows a week for SigV4 links; a download link to applicants' personal data lives minutes.
LINK_EXPIRY_CEILING_SECONDS = 3600
LINK_EXPIRY_DEFAULT_SECONDS = 900
LINK_EXPIRY_FLOOR_SECONDS = 60


class ExportEncoding(StrEnum):
    UTF8_BOM = "utf-8-sig"  # Excel recognises UTF-8 only with the BOM
    CP932 = "cp932"  # Windows' Shift_JIS, for older ward systems


class ExportTrigger(StrEnum):
    SCHEDULE = "schedule"
    STAFF = "staff"


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, alias_generator=to_camel)


class Requester(_Wire):
    """Who asked, as the staff CLI read it from `sts.get_caller_identity()`: self-reported, so the audit
    records it with `identityVerified: false` (README, "Audit")."""

    arn: str = Field(min_length=1, max_length=2048)
    user_id: str | None = Field(default=None, max_length=256)
    account: str | None = Field(default=None, pattern=r"^\d{12}$")


def _moment(value: Any, *, end_of_day: bool) -> Any:
    """A bare date is a JST day: `from` its start, `to` the start of the next one (so it is included)."""
    if isinstance(value, str) and len(value) == 10:
        day = date.fromisoformat(value)
        return ward_day_start(day + timedelta(days=1) if end_of_day else day)
    if isinstance(value, date) and not isinstance(value, datetime):
        return ward_day_start(value + timedelta(days=1) if end_of_day else value)
    return value


class ExportRequest(_Wire):
    """The function's event, on demand (staff CLI) or scheduled (`{"trigger": "schedule"}`)."""

    trigger: ExportTrigger = ExportTrigger.STAFF
    form_id: str = Field(default=DEFAULT_FORM_ID, pattern=FORM_ID_PATTERN)
    encoding: ExportEncoding = ExportEncoding.UTF8_BOM
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None
    requested_by: Requester | None = None
    export_id: str | None = Field(default=None, pattern=r"^[0-9TZ]{16}-[0-9a-f]{8}$")
    link_expiry_seconds: int | None = Field(
        default=None, ge=LINK_EXPIRY_FLOOR_SECONDS, le=LINK_EXPIRY_CEILING_SECONDS
    )

    @model_validator(mode="before")
    @classmethod
    def _accept_scheduler_payloads(cls, data: Any) -> Any:
        # EventBridge Scheduler sends the template's Input; older notes call the key `source`.
        if isinstance(data, dict) and data.get("source") == "schedule" and "trigger" not in data:
            data = {k: v for k, v in data.items() if k != "source"} | {"trigger": "schedule"}
        return data

    @field_validator("from_", mode="before")
    @classmethod
    def _from_day(cls, value: Any) -> Any:
        return _moment(value, end_of_day=False)

    @field_validator("to", mode="before")
    @classmethod
    def _to_day(cls, value: Any) -> Any:
        return _moment(value, end_of_day=True)

    @field_validator("from_", "to")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        # A bare local time is the ward's (JST).
        return None if value is None else as_ward_time(value)

    @model_validator(mode="after")
    def _range_is_whole(self) -> ExportRequest:
        if (self.from_ is None) != (self.to is None):
            raise ValueError("a re-export needs both from and to")
        if self.from_ is not None and self.to is not None and self.from_ >= self.to:
            raise ValueError("from must be before to")
        if self.export_id is not None and (self.from_ is not None or self.trigger is ExportTrigger.SCHEDULE):
            raise ValueError("a link to an earlier export takes no range and is never scheduled")
        return self

    @property
    def is_range(self) -> bool:
        return self.from_ is not None

    @property
    def is_link(self) -> bool:
        """A new link to an earlier export's file (a scheduled export's, say), not a new export."""
        return self.export_id is not None


class ExportTuning(BaseModel):
    """The export function's settings from its environment (template parameters), with defaults."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    link_expiry_seconds: int = Field(
        alias="EXPORT_LINK_EXPIRY_SECONDS",
        default=LINK_EXPIRY_DEFAULT_SECONDS,
        ge=LINK_EXPIRY_FLOOR_SECONDS,
        le=LINK_EXPIRY_CEILING_SECONDS,
    )
    pii_retention_days: int = Field(alias="PII_RETENTION_DAYS", default=90, ge=1, le=3650)
    # Must exceed intake's Lambda timeout (30 s) plus GSI propagation: see domain/export/watermark.py.
    safety_lag_seconds: float = Field(alias="EXPORT_SAFETY_LAG_SECONDS", default=120.0, ge=0)
    file_days: int = Field(alias="EXPORT_OBJECT_EXPIRATION_DAYS", default=7, ge=1, le=30)
    region: str = Field(alias="AWS_REGION", default="ap-northeast-1")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        """The process environment (or `environ`) as the tuning: read once, by the composition root."""
        return cls.model_validate(dict(os.environ if environ is None else environ))

    @property
    def safety_lag(self) -> timedelta:
        return timedelta(seconds=self.safety_lag_seconds)


class UnencodableCell(_Wire):
    """A cell the chosen encoding cannot hold (replaced by 〓 in the file): where, never what."""

    row: int = Field(ge=1, description="data row, 1 = the first application (the header is row 0)")
    column: str
    reception_number: str | None = None


class ExportWindow(_Wire):
    """Which applications an export covers: received after `after` (exclusive) up to `up_to`."""

    mode: Literal["watermark", "range", "all"]
    after: str | None = Field(
        default=None,
        description="lower bound, a receivedAt string (watermark: exclusive; range: inclusive)",
    )
    up_to: str = Field(description="watermark: inclusive upper bound; range: exclusive upper bound")


class ExportResult(_Wire):
    """What the function answers; the audit record keeps all of it but the URL itself."""

    export_id: str
    invocation_id: str = Field(description="the Lambda request id: CloudTrail's record of the Invoke call")
    issued_at: datetime
    form_id: str
    trigger: ExportTrigger
    window: ExportWindow
    record_count: int = Field(ge=0)
    encoding: ExportEncoding
    object_key: str | None = None
    url: str | None = Field(default=None, repr=False)
    expires_at: datetime | None = None
    expiry_seconds: int | None = None
    unencodable: tuple[UnencodableCell, ...] = ()
    unencodable_total: int = 0
    requested_by: str
    requested_by_source: str
    identity_verified: bool = Field(
        default=False, description="True only when an export grant of the staff console named the person"
    )
    requested_by_sub: str | None = Field(default=None, description="the staff's Cognito `sub` (verified)")
    reason: str | None = Field(default=None, description="why a period was re-exported (administrators)")
    skipped_unreadable: int = Field(default=0, description="applications whose PII would not decrypt")
    unreadable_reception_numbers: tuple[str, ...] = ()
    reissued: bool = Field(default=False, description="a new link to an earlier export's file")
