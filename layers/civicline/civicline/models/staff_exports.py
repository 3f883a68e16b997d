"""The staff console's export requests and answers (docs/staff_api.md): camelCase on the wire."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from civicline.models.export import ExportEncoding
from civicline.models.forms import FORM_ID_PATTERN


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, alias_generator=to_camel)


class ExportAsk(_Wire):
    """`POST /staff/api/exports`: the form's applications since the last export, or (`exportId`) a new
    link to an earlier export's file, such as the daily export's whose notice names its id."""

    form_id: str = Field(pattern=FORM_ID_PATTERN)
    encoding: ExportEncoding = ExportEncoding.UTF8_BOM
    export_id: str | None = Field(default=None, pattern=r"^[0-9TZ]{16}-[0-9a-f]{8}$")


class RangeExportAsk(_Wire):
    """`POST /staff/api/exports/range` (admin): a period re-exported, with the reason recorded."""

    form_id: str = Field(pattern=FORM_ID_PATTERN)
    encoding: ExportEncoding = ExportEncoding.UTF8_BOM
    from_: date = Field(alias="from")
    to: date
    reason: str = Field(min_length=1, max_length=500)


class ExportLink(_Wire):
    """The answer: the link (None when there was nothing new to export), until when, how many rows."""

    export_id: str
    url: str | None = Field(default=None, repr=False)
    expires_at: datetime | None = None
    rows: int = Field(ge=0)
