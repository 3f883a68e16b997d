"""Conversation worker: LINE events from events.fifo, answered one at a time per resident.

Each SQS record is one webhook event, `{"destination": ..., "event": {...}}` as LINE sent it
(models/events_queue.py). The worker validates the record, parses the event with line-bot-sdk, lets
the dispatcher pick the feature that answers it (follow and unfollow, 受信設定, 電子申請 forms and
surveys, 申請状況, data rights), and sends the answer; a finished form goes to the applications queue
for intake. FIFO order matters (a resident's answers build on each other), so after a failure the rest
of that resident's group in the batch is handed back untouched (`skip_group_on_error`, set on the
handler's processor). The services are built once per container by `conversation_root`.

Idempotency, decided: the whole handling of one event runs under Powertools idempotency keyed on its
webhookEventId (IdempotencyTable, 24 h). events.fifo drops LINE's redeliveries only within its
5-minute de-duplication window; LINE may redeliver later, and a Lambda that dies after answering
part of a batch sees those records again. Without the guard a follow would be greeted twice (a reply
first, then a push that no retry key can match). Failed handlings leave no record behind, so their
retry runs in full; the domain's writes are set-not-toggle, so a partial first run is harmless.

Malformed records follow the project's policy (docs/contracts.md, "Malformed messages"): a body that
fails `EventsQueueRecord` is reported by the handler's processor (services/malformed_records.py); an
event line-bot-sdk cannot read at all is reported here, the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.idempotency import (
    BasePersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from civicline.adapters.line.inbound import MalformedEvent, parse_event, to_inbound
from civicline.adapters.line.outbox import Delivery, LineOutbox
from civicline.domain.chat.dispatch import Dispatcher
from civicline.domain.chat.inbound import InboundKind
from civicline.domain.chat.languages import LanguageSource
from civicline.domain.errors import CivicLineError, RetryableError
from civicline.models.events_queue import EventsQueueRecord
from civicline.services.malformed_records import report_malformed

IDEMPOTENCY_KEY_PREFIX = "civicline-conversation-event"
_OWN_LANGUAGE = frozenset({InboundKind.FOLLOW, InboundKind.UNFOLLOW})


class MalformedRecord(CivicLineError):
    """Not what our webhook enqueues: retrying cannot help, but it is kept (DLQ), not dropped."""


class ConversationWorker:
    """Handles one events.fifo record: validate, dispatch once per event, answer, count."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        outbox: LineOutbox,
        idempotency_store: BasePersistenceLayer,
        logger: Logger,
        metrics: Metrics,
        *,
        languages: LanguageSource,
    ) -> None:
        self._dispatcher = dispatcher
        self._outbox = outbox
        self._languages = languages
        self._logger = logger
        self._metrics = metrics
        self.idempotency_config = IdempotencyConfig(
            event_key_jmespath="event.webhookEventId",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=24 * 60 * 60,
        )
        self._handle_once: Callable[..., dict[str, Any]] = idempotent_function(
            data_keyword_argument="payload",
            persistence_store=idempotency_store,
            config=self.idempotency_config,
            # Named, not derived from the code's module path, so moving code never resets the records.
            key_prefix=IDEMPOTENCY_KEY_PREFIX,
        )(self.handle_event)

    def handle_event(self, payload: dict[str, Any], receive_count: int) -> dict[str, Any]:
        """Parse, dispatch, answer. The result (ids and tags only) is what the idempotency record keeps."""
        event = parse_event(payload["destination"], payload["event"])
        inbound = to_inbound(event, receive_count)
        # Read before the event, so what the event does (an erasure) cannot change the answer's language;
        # a follow finds its language itself (the profile's, for a newcomer) and an unfollow says nothing.
        if inbound.user_id is not None and inbound.kind not in _OWN_LANGUAGE:
            inbound = replace(inbound, language=self._languages.language_of(inbound.user_id))
        answer = self._dispatcher.dispatch(inbound)
        # The language stays out of the result, which is logged: it says something about who they are.
        delivery = self._outbox.send(inbound.context, answer, answer.language or inbound.language)
        return {
            "eventType": inbound.context.event_type,
            "delivery": delivery.value,
            "tags": list(answer.tags),
        }

    def handle_record(self, record: EventsQueueRecord) -> None:
        """A valid record: raised if its event is unreadable or retryable (a batch item failure)."""
        body = record.body
        event_id = body.event.webhook_event_id
        receive_count = int(record.attributes.ApproximateReceiveCount or 1)
        try:
            result = self._handle_once(payload=body.payload(), receive_count=receive_count)
        except MalformedEvent as malformed:
            # An event not even the SDK's UnknownEvent accepts: the same policy as a malformed body.
            report_malformed(self._logger, self._metrics, record.messageId, ["event"])
            raise MalformedRecord(f"record {record.messageId}: {malformed}") from None
        except RetryableError:
            # Handed back to SQS (and, after maxReceiveCount, to the DLQ); the batch processor logs it.
            self._metrics.add_metric(name="RetriedEvents", unit=MetricUnit.Count, value=1)
            raise
        delivery = result.get("delivery")
        if delivery == Delivery.REJECTED:
            self._logger.warning("LINE refused the answer", extra={"webhook_event_id": event_id, **result})
        else:
            self._logger.info("event handled", extra={"webhook_event_id": event_id, **result})
        self._metrics.add_metric(name="EventsHandled", unit=MetricUnit.Count, value=1)
        self._count("Events", "EventType", str(result.get("eventType")))
        self._count("Answers", "Delivery", str(delivery))

    def _count(self, name: str, dimension: str, value: str) -> None:
        # A dimension per record (event type, delivery) needs its own EMF blob: Metrics' dimensions are
        # shared by every metric of the invocation.
        with single_metric(
            name=name,
            unit=MetricUnit.Count,
            value=1,
            namespace=self._metrics.namespace,
            default_dimensions=self._metrics.default_dimensions,
        ) as metric:
            metric.add_dimension(name=dimension, value=value)
