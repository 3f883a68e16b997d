"""Conversation worker: LINE events from events.fifo, answered one at a time per resident.

Each SQS record is one webhook event, `{"destination": ..., "event": {...}}` as LINE sent it. The
worker parses it with line-bot-sdk, lets the dispatcher pick the feature that answers it (follow and
unfollow, 受信設定, 電子申請 forms and surveys, 申請状況), and sends the answer; a finished form goes to
the applications queue for intake. FIFO order matters (a resident's answers build on each other), so
after a failure the rest of that resident's group in the batch is handed back untouched
(`skip_group_on_error`, set on the handler's processor).

Idempotency, decided: the whole handling of one event runs under Powertools idempotency keyed on its
webhookEventId (IdempotencyTable, 24 h). events.fifo drops LINE's redeliveries only within its
5-minute de-duplication window; LINE may redeliver later, and a Lambda that dies after answering
part of a batch sees those records again. Without the guard a follow would be greeted twice (a reply
first, then a push that no retry key can match). Failed handlings leave no record behind, so their
retry runs in full; the domain's writes are set-not-toggle, so a partial first run is harmless.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from civicline.adapters.dynamodb.applications import DynamoApplications
from civicline.adapters.dynamodb.conversations import DynamoConversations
from civicline.adapters.dynamodb.data_rights import DynamoDataRights, DynamoDataRightsAudit
from civicline.adapters.dynamodb.users import DynamoUsers
from civicline.adapters.line.inbound import MalformedEvent, parse_event, to_inbound
from civicline.adapters.line.profile import LineProfiles
from civicline.adapters.line.replies import Delivery, LineOutbox
from civicline.adapters.sqs.applications_queue import ApplicationsQueue
from civicline.domain.applications.chat.features import install_forms
from civicline.domain.chat.dispatch import Dispatcher
from civicline.domain.data_rights.features import install_data_rights
from civicline.domain.errors import RetryableError
from civicline.domain.residents.features import install_residents
from civicline.models.city import load_city
from civicline.models.environment import ConversationEnvironment, environment


def build_dispatcher(env: ConversationEnvironment) -> Dispatcher:
    """Every feature that answers a resident's event, on its DynamoDB, SQS and LINE adapters."""
    conversations = DynamoConversations(env.conversations_table)
    events = Dispatcher(conversations)
    install_residents(
        events,
        residents=DynamoUsers(env.users_table),
        conversations=conversations,
        profiles=LineProfiles(),
        city=load_city(),
        privacy_notice_url=str(env.privacy_notice_url),
        blocked_retention=timedelta(days=env.unfollowed_retention_days),
    )
    install_forms(
        events,
        conversations=conversations,
        queue=ApplicationsQueue(env.applications_queue_url),
        statuses=DynamoApplications(env.applications_table),
    )
    install_data_rights(
        events,
        store=DynamoDataRights(env.users_table, env.conversations_table, env.applications_table),
        audit=DynamoDataRightsAudit(env.audit_table),
        residents=DynamoUsers(env.users_table),
        conversations=conversations,
        city=load_city(),
    )
    return events


def webhook_payload(record: SQSRecord) -> dict[str, Any] | None:
    """The record's `{"destination", "event"}` as the webhook enqueued it, or None if it is not one."""
    try:
        payload = json.loads(record.body)
    except ValueError:
        return None
    valid = (
        isinstance(payload, dict)
        and isinstance(payload.get("destination"), str)
        and isinstance(payload.get("event"), dict)
        and isinstance(payload["event"].get("webhookEventId"), str)
    )
    return payload if valid else None


class ConversationWorker:
    """One function instance's wiring: built on first use (cold start), kept for the sandbox's life."""

    def __init__(self, logger: Logger, metrics: Metrics) -> None:
        self._logger = logger
        self._metrics = metrics
        self.idempotency_config = IdempotencyConfig(
            event_key_jmespath="event.webhookEventId",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=24 * 60 * 60,
        )
        self.dispatcher = cache(lambda: build_dispatcher(environment(ConversationEnvironment)))
        self.outbox = cache(LineOutbox)
        self.idempotent_handle_event = cache(self._idempotent_handle_event)

    def handle_event(self, payload: dict[str, Any], receive_count: int) -> dict[str, Any]:
        """Parse, dispatch, answer. The result (ids and tags only) is what the idempotency record keeps."""
        event = parse_event(payload["destination"], payload["event"])
        inbound = to_inbound(event, receive_count)
        outcome = self.dispatcher().dispatch(inbound)
        delivery = self.outbox().send(inbound.context, outcome)
        return {
            "eventType": inbound.context.event_type,
            "delivery": delivery.value,
            "tags": list(outcome.tags),
        }

    def _idempotent_handle_event(self) -> Callable[..., dict[str, Any]]:
        store = DynamoDBPersistenceLayer(table_name=environment(ConversationEnvironment).idempotency_table)
        handled: Callable[..., dict[str, Any]] = idempotent_function(
            data_keyword_argument="payload",
            persistence_store=store,
            config=self.idempotency_config,
            # Named, not derived from the code's module path, so moving code never resets the records.
            key_prefix="civicline-conversation-event",
        )(self.handle_event)
        return handled

    def handle_record(self, record: SQSRecord) -> None:
        """One SQS record: dropped if malformed, raised if retryable, else handled once and counted."""
        payload = webhook_payload(record)
        if payload is None:
            # Not what the webhook enqueues: retrying cannot help, and its content is not ours to log.
            self._logger.warning(
                "record is not a webhook event; dropped", extra={"message_id": record.message_id}
            )
            self._metrics.add_metric(name="MalformedEvents", unit=MetricUnit.Count, value=1)
            return
        event_id = payload["event"]["webhookEventId"]
        receive_count = int(record.attributes.approximate_receive_count or 1)
        try:
            result = self.idempotent_handle_event()(payload=payload, receive_count=receive_count)
        except MalformedEvent as malformed:
            self._logger.warning(
                "event dropped", extra={"webhook_event_id": event_id, "reason": str(malformed)}
            )
            self._metrics.add_metric(name="MalformedEvents", unit=MetricUnit.Count, value=1)
            return
        except RetryableError:
            # Handed back to SQS (and, after maxReceiveCount, to the DLQ); the batch processor logs it.
            self._metrics.add_metric(name="RetriedEvents", unit=MetricUnit.Count, value=1)
            raise
        delivery = result.get("delivery")
        if delivery == Delivery.REJECTED:
            self._logger.warning("LINE refused the answer", extra={"webhook_event_id": event_id, **result})
        else:
            self._logger.info("event handled", extra={"webhook_event_id": event_id, **result})
        self._metrics.add_metric(name=f"Delivery_{delivery}", unit=MetricUnit.Count, value=1)
