"""Ward staff as the console knows them: who (the token's `sub` and username), which roles, what they did.

Identity always comes from the verified token's claims (API Gateway's JWT authorizer put them in the
request context), never from a request field. Roles are the user pool's groups.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Role(StrEnum):
    ADMIN = "admin"  # everything, including range re-exports and the audit log
    EDITOR = "editor"  # broadcasts and the rich-menu mode
    EXPORTER = "exporter"  # applications waiting, export links, survey results
    VIEWER = "viewer"  # the dashboard only


# How a 403 names the role a route needs (staff read it; docs/staff_api.md).
ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "管理者",
    Role.EDITOR: "配信担当",
    Role.EXPORTER: "申請担当",
    Role.VIEWER: "閲覧者",
}


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)


class StaffIdentity(_Wire):
    sub: str = Field(min_length=1)
    username: str = Field(min_length=1)
    roles: frozenset[Role] = frozenset()

    def has(self, role: Role) -> bool:
        """admin may do everything; any other role only what it names."""
        return Role.ADMIN in self.roles or role in self.roles

    def may_any(self, roles: tuple[Role, ...]) -> bool:
        return any(self.has(role) for role in roles)

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> StaffIdentity:
        """From API Gateway's JWT claims: `cognito:groups` arrives as a list, or (HTTP API flattens
        arrays) as the string "[admin editor]"; unknown groups are ignored."""
        groups = claims.get("cognito:groups", [])
        if isinstance(groups, str):
            groups = groups.strip("[]").replace(",", " ").split()
        known = {role.value for role in Role}
        return cls(
            sub=str(claims.get("sub", "")),
            username=str(claims.get("cognito:username") or claims.get("username") or ""),
            roles=frozenset(Role(group) for group in groups if group in known),
        )


class StaffActor(_Wire):
    username: str
    sub: str


class StaffAction(_Wire):
    """One audited staff action: ids, counts and statuses only (never a message text or applicant PII)."""

    at: datetime
    actor: StaffActor
    action: str  # e.g. broadcast.send, broadcast.cancel, richmenu.switch, export.link
    target: str = ""  # a broadcast id, a form id, a mode
    detail: dict[str, Any] = Field(default_factory=dict)
