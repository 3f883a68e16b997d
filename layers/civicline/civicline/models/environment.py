"""Each function's environment, validated once per container (a typo fails at cold start, loudly).

Composed from one small model per resource, so a variable is declared once however many functions
read it (the cookbook's env-as-model, with mixins instead of repeated fields). A function's composition
root calls `<Model>.from_environ()` once at import; tests pass a mapping of their own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class _Environment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        """The process environment (or `environ`) as this model."""
        return cls.model_validate(dict(os.environ if environ is None else environ))


class LineEnvironment(_Environment):
    line_secret_id: str = Field(alias="LINE_SECRET_ID", min_length=1)
    line_api_host: str = Field(alias="LINE_API_HOST", default="https://api.line.me")


class UsersTableEnvironment(_Environment):
    users_table: str = Field(alias="USERS_TABLE")


class ConversationsTableEnvironment(_Environment):
    conversations_table: str = Field(alias="CONVERSATIONS_TABLE")


class ApplicationsTableEnvironment(_Environment):
    applications_table: str = Field(alias="APPLICATIONS_TABLE")


class AuditTableEnvironment(_Environment):
    audit_table: str = Field(alias="AUDIT_TABLE")


class IdempotencyTableEnvironment(_Environment):
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")


class BroadcastsTableEnvironment(_Environment):
    broadcasts_table: str = Field(alias="BROADCASTS_TABLE")


class StaffConsoleTableEnvironment(_Environment):
    staff_console_table: str = Field(alias="STAFF_CONSOLE_TABLE")


class PiiKeyEnvironment(_Environment):
    pii_key_arn: str = Field(alias="PII_KEY_ARN")


class ConversationEnvironment(
    LineEnvironment,
    UsersTableEnvironment,
    ConversationsTableEnvironment,
    ApplicationsTableEnvironment,
    AuditTableEnvironment,
    IdempotencyTableEnvironment,
):
    applications_queue_url: str = Field(alias="APPLICATIONS_QUEUE_URL")
    privacy_notice_url: HttpUrl = Field(alias="PRIVACY_NOTICE_URL")
    unfollowed_retention_days: int = Field(alias="UNFOLLOWED_RETENTION_DAYS", default=30, ge=0)


class IntakeEnvironment(
    LineEnvironment, ApplicationsTableEnvironment, IdempotencyTableEnvironment, PiiKeyEnvironment
):
    # Retention set when an item is stored (TTL `purgeAt`): an application never exported, a survey
    # response. Export sets its own, earlier, purgeAt on what it hands over.
    pii_retention_ceiling_days: int = Field(alias="PII_RETENTION_CEILING_DAYS", default=180, ge=1, le=3650)
    survey_retention_days: int = Field(alias="SURVEY_RETENTION_DAYS", default=365, ge=1, le=3650)


class BroadcastPlanWorkerEnvironment(UsersTableEnvironment, BroadcastsTableEnvironment):
    broadcast_batches_queue_url: str = Field(alias="BROADCAST_BATCHES_QUEUE_URL")


class BroadcastPlannerEnvironment(BroadcastPlanWorkerEnvironment):
    # One-time EventBridge Scheduler schedules for broadcasts planned ahead (the planner invokes itself).
    broadcast_schedule_group: str = Field(alias="BROADCAST_SCHEDULE_GROUP", min_length=1)
    broadcast_scheduler_role_arn: str = Field(alias="BROADCAST_SCHEDULER_ROLE_ARN", min_length=1)
    # The planning workers' function (one asynchronous invocation per scan segment).
    plan_worker_function: str = Field(alias="BROADCAST_PLAN_WORKER_FUNCTION", min_length=1)
    # Residents per scan segment (per planning worker): domain.broadcast.planner.RESIDENTS_PER_SEGMENT.
    residents_per_segment: int = Field(alias="BROADCAST_RESIDENTS_PER_SEGMENT", default=50_000, ge=1)
    # A fixed number of segments instead (tests); either way fixed per broadcast when first recorded.
    scan_segments: int | None = Field(alias="BROADCAST_SCAN_SEGMENTS", default=None, ge=1, le=32)


class BroadcastSenderEnvironment(LineEnvironment, BroadcastsTableEnvironment):
    # LINE allows 200 multicasts/s per channel; every concurrent sender shares this through Broadcasts.
    # 95 % of it by default: a limiter at exactly the server's rate meets 429s when calls bunch up.
    multicast_rate_per_second: float = Field(alias="BROADCAST_MULTICAST_RATE", default=190.0, gt=0, le=200)


class ExportEnvironment(
    ApplicationsTableEnvironment, AuditTableEnvironment, PiiKeyEnvironment, StaffConsoleTableEnvironment
):
    export_bucket: str = Field(alias="EXPORT_BUCKET")
    staff_topic_arn: str = Field(alias="STAFF_TOPIC_ARN")


class DashboardRefreshEnvironment(
    UsersTableEnvironment,
    ApplicationsTableEnvironment,
    BroadcastsTableEnvironment,
    StaffConsoleTableEnvironment,
):
    """The console snapshot's refresh: it reads the tables whose counts staff see, and writes the counts."""


class StaffConsoleDataEnvironment(StaffConsoleTableEnvironment):
    """StaffApiFunction's part for counts and exports: the snapshot and grants, the functions it starts."""

    export_function: str = Field(alias="EXPORT_FUNCTION", min_length=1)
    dashboard_refresh_function: str = Field(alias="DASHBOARD_REFRESH_FUNCTION", min_length=1)


class StaffApiEnvironment(LineEnvironment, BroadcastsTableEnvironment, AuditTableEnvironment):
    """The staff console (functions/staff_api): sign-in, the planner it asks, what it reads and audits."""

    staff_actions_table: str = Field(alias="STAFF_ACTIONS_TABLE", min_length=1)
    broadcast_planner_function: str = Field(alias="BROADCAST_PLANNER_FUNCTION", min_length=1)
    # Started after a rich-menu switch, asynchronously: it relinks the residents of other languages.
    richmenu_relink_function: str = Field(alias="RICHMENU_RELINK_FUNCTION", min_length=1)
    staff_user_pool_id: str = Field(alias="STAFF_USER_POOL_ID", min_length=1)
    staff_user_pool_client_id: str = Field(alias="STAFF_USER_POOL_CLIENT_ID", min_length=1)
    # Comma-separated LINE user ids of the staff's own accounts (テスト配信); empty refuses test delivery.
    staff_test_recipients: str = Field(alias="STAFF_TEST_RECIPIENTS", default="")

    @property
    def test_recipients(self) -> list[str]:
        return [uid.strip() for uid in self.staff_test_recipients.split(",") if uid.strip()]


class RichMenuRelinkEnvironment(LineEnvironment, UsersTableEnvironment):
    """RichMenuRelinkFunction: it scans Users for the residents reading other languages, links their menus
    on LINE and records the outcome among the staff actions."""

    staff_actions_table: str = Field(alias="STAFF_ACTIONS_TABLE", min_length=1)
