"""The conversation worker's composition root: every feature on its adapters, built once per container.

functions/conversation/app.py calls `conversation_worker` at import (cold start) with the DynamoDB
resource, the SQS client and the LINE client; tests build the same with moto's resources and the fake
LINE, or build a Dispatcher with in-memory fakes (tests/unit).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from linebot.v3.messaging import MessagingApi

from civicline.adapters.dynamodb.applications import DynamoApplications
from civicline.adapters.dynamodb.conversations import DynamoConversations
from civicline.adapters.dynamodb.data_rights import DynamoDataRights
from civicline.adapters.dynamodb.data_rights_audit import DynamoDataRightsAudit
from civicline.adapters.dynamodb.residents import DynamoResidents
from civicline.adapters.line.outbox import LineOutbox
from civicline.adapters.line.profile import LineProfiles
from civicline.adapters.line.richmenu_links import LineRichMenuLinks
from civicline.adapters.sqs.applications_queue import ApplicationsQueue
from civicline.domain.applications.chat.features import install_forms
from civicline.domain.chat.dispatch import Dispatcher
from civicline.domain.data_rights.features import install_data_rights
from civicline.domain.residents.features import install_residents
from civicline.models.city import load_city
from civicline.models.environment import ConversationEnvironment
from civicline.services.conversation import ConversationWorker
from civicline.services.richmenu_mode import ResidentMenus


def build_dispatcher(
    env: ConversationEnvironment, *, dynamodb: Any, sqs: Any, line_api: Callable[[], MessagingApi]
) -> Dispatcher:
    """Every feature that answers a resident's event, on its DynamoDB, SQS and LINE adapters."""
    users = dynamodb.Table(env.users_table)
    conversations_table = dynamodb.Table(env.conversations_table)
    applications = dynamodb.Table(env.applications_table)
    conversations = DynamoConversations(conversations_table)
    residents = DynamoResidents(users)
    city = load_city()
    events = Dispatcher(conversations)
    install_residents(
        events,
        residents=residents,
        conversations=conversations,
        profiles=LineProfiles(line_api),
        city=city,
        privacy_notice_url=str(env.privacy_notice_url),
        blocked_retention=timedelta(days=env.unfollowed_retention_days),
        menus=ResidentMenus(LineRichMenuLinks(line_api)),
    )
    install_forms(
        events,
        conversations=conversations,
        queue=ApplicationsQueue(sqs, env.applications_queue_url),
        statuses=DynamoApplications(applications),
    )
    install_data_rights(
        events,
        store=DynamoDataRights(users, conversations_table, applications),
        audit=DynamoDataRightsAudit(dynamodb.Table(env.audit_table)),
        residents=residents,
        conversations=conversations,
        city=city,
    )
    return events


def conversation_worker(
    env: ConversationEnvironment,
    *,
    dynamodb: Any,
    sqs: Any,
    dynamodb_wire: Any,
    line_api: Callable[[], MessagingApi],
    logger: Logger,
    metrics: Metrics,
) -> ConversationWorker:
    return ConversationWorker(
        build_dispatcher(env, dynamodb=dynamodb, sqs=sqs, line_api=line_api),
        LineOutbox(line_api),
        DynamoDBPersistenceLayer(table_name=env.idempotency_table, boto3_client=dynamodb_wire),
        logger,
        metrics,
        languages=DynamoResidents(dynamodb.Table(env.users_table)),
    )
