"""An export grant: the staff console's word to ExportFunction that an authenticated person asked.

StaffApiFunction (behind the Cognito JWT authorizer) writes one grant per export it asks for, naming who
(the token's `sub`, username and groups) and what (form, encoding, period and reason, or an earlier
export's id), valid for minutes; then it invokes ExportFunction with the grant's id alone. ExportFunction
consumes the grant (a conditional delete: used once) and takes both the identity and the request from it,
so nothing a caller puts in the event can change who is audited or what is exported. Only
StaffApiFunction's role may write grants; only ExportFunction's may delete them (template.yaml).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from civicline.models.export import ExportEncoding
from civicline.models.forms import FORM_ID_PATTERN
from civicline.models.staff import Role, StaffIdentity

GRANT_ID_PATTERN = r"^[0-9a-f]{32}$"
GRANT_LIFETIME = timedelta(minutes=5)
RANGE_MAX_DAYS = 366  # a re-export spans at most a year (both days included)
RANGE_ROLE = Role.ADMIN


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, alias_generator=to_camel)


class ExportGrant(_Wire):
    grant_id: str = Field(pattern=GRANT_ID_PATTERN)
    staff: StaffIdentity
    form_id: str = Field(pattern=FORM_ID_PATTERN)
    encoding: ExportEncoding = ExportEncoding.UTF8_BOM
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    reason: str | None = Field(default=None, max_length=500)
    export_id: str | None = Field(default=None, pattern=r"^[0-9TZ]{16}-[0-9a-f]{8}$")
    created_at: datetime
    expires_at: datetime

    @model_validator(mode="after")
    def _range_is_whole(self) -> ExportGrant:
        if (self.from_ is None) != (self.to is None):
            raise ValueError("a re-export needs both from and to")
        return self

    @property
    def is_range(self) -> bool:
        return self.from_ is not None


class GrantedExport(_Wire):
    """ExportFunction's event from the console: the grant's id, nothing else."""

    grant_id: str = Field(pattern=GRANT_ID_PATTERN)
