"""Each function's environment, validated once per container (a typo fails at cold start, loudly)."""

from __future__ import annotations

import os
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class _Environment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class LineEnvironment(_Environment):
    line_secret_id: str = Field(alias="LINE_SECRET_ID", min_length=1)
    line_api_host: str = Field(alias="LINE_API_HOST", default="https://api.line.me")


class ConversationEnvironment(LineEnvironment):
    users_table: str = Field(alias="USERS_TABLE")
    conversations_table: str = Field(alias="CONVERSATIONS_TABLE")
    applications_table: str = Field(alias="APPLICATIONS_TABLE")
    audit_table: str = Field(alias="AUDIT_TABLE")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    applications_queue_url: str = Field(alias="APPLICATIONS_QUEUE_URL")
    privacy_notice_url: HttpUrl = Field(alias="PRIVACY_NOTICE_URL")
    unfollowed_retention_days: int = Field(alias="UNFOLLOWED_RETENTION_DAYS", default=30, ge=0)


class IntakeEnvironment(LineEnvironment):
    applications_table: str = Field(alias="APPLICATIONS_TABLE")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    pii_key_arn: str = Field(alias="PII_KEY_ARN")


class BroadcastPlannerEnvironment(_Environment):
    users_table: str = Field(alias="USERS_TABLE")
    broadcasts_table: str = Field(alias="BROADCASTS_TABLE")
    broadcast_batches_queue_url: str = Field(alias="BROADCAST_BATCHES_QUEUE_URL")


class BroadcastSenderEnvironment(LineEnvironment):
    broadcasts_table: str = Field(alias="BROADCASTS_TABLE")


class ExportEnvironment(_Environment):
    applications_table: str = Field(alias="APPLICATIONS_TABLE")
    audit_table: str = Field(alias="AUDIT_TABLE")
    export_bucket: str = Field(alias="EXPORT_BUCKET")
    staff_topic_arn: str = Field(alias="STAFF_TOPIC_ARN")
    pii_key_arn: str = Field(alias="PII_KEY_ARN")


@cache
def environment[EnvironmentT: _Environment](model: type[EnvironmentT]) -> EnvironmentT:
    """The current process environment as `model`, read once per container."""
    return model.model_validate(dict(os.environ))
