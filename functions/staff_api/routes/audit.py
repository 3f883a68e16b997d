"""監査ログ (admin): staff actions and residents' data-rights requests, newest first (queries, no scan)."""

from __future__ import annotations

from typing import Any

from access import require
from aws_lambda_powertools.event_handler.api_gateway import Router

from civicline.models.staff import Role
from civicline.services.staff_audit import StaffAudit

router = Router()


@router.get("/audit")
def audit() -> list[dict[str, Any]]:
    require(router, Role.ADMIN)
    log: StaffAudit = router.context["console"].audit
    return log.recent()
