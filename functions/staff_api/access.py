"""Who is calling and may they: identity from the JWT authorizer's claims, one role check per route.

API Gateway's JWT authorizer has verified the token (signature, issuer, audience, expiry) before the
function runs; it leaves the claims in `requestContext.authorizer.jwt.claims`. The function checks the
route's roles again (the page hides what a role may not do, but the API is the guard).
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from civicline.models.staff import ROLE_LABELS, Role, StaffIdentity


class NotSignedIn(Exception):
    """No verified claims (a route left without the authorizer, or a token without `sub`)."""


class Forbidden(Exception):
    def __init__(self, roles: tuple[Role, ...]) -> None:
        super().__init__("role missing")
        self.roles = roles

    @property
    def message(self) -> str:
        needed = "・".join(ROLE_LABELS[role] for role in self.roles)
        return f"この操作を行う権限がありません（必要な役割: {needed}）。"


def caller(router: Router) -> StaffIdentity:
    context = router.current_event.raw_event.get("requestContext") or {}
    claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
    try:
        return StaffIdentity.from_claims(claims)
    except ValidationError:  # no sub or no username: not a token of the staff pool
        raise NotSignedIn from None


def require(router: Router, *roles: Role) -> StaffIdentity:
    """The caller, if they hold one of `roles` (admin holds every role); else Forbidden (403)."""
    identity = caller(router)
    if not identity.may_any(roles):
        raise Forbidden(roles)
    return identity
