"""LINE webhook events, parsed by line-bot-sdk, as the domain's Inbound values.

Parsing goes through the SDK's WebhookParser, so a type the SDK does not know, or a known type whose
shape changed, becomes `UnknownEvent` exactly as it would in any SDK user. The webhook function has
already verified the signature of the body this event came from, so it is not checked again here.
"""

from __future__ import annotations

import json
from typing import Any

from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
    UnsendEvent,
    UserSource,
)

from civicline.domain.chat.inbound import EventContext, Inbound, InboundKind
from civicline.domain.errors import CivicLineError


class MalformedEvent(CivicLineError):
    """Not an event even the SDK's UnknownEvent accepts (no webhookEventId, timestamp...)."""


# Stateless: the signature was checked at ingress, so the parser needs no secret.
_PARSER = WebhookParser("", skip_signature_verification=lambda: True)


def parse_event(destination: str, event: dict[str, Any]) -> Event:
    body = json.dumps({"destination": destination, "events": [event]}, ensure_ascii=False)
    try:
        (parsed,) = _PARSER.parse(body, "")
    except (ValueError, TypeError, KeyError) as error:
        # The error text would quote the event (personal data): say only what kind of error it was.
        raise MalformedEvent(f"event not parseable: {type(error).__name__}") from None
    return parsed


def to_inbound(event: Event, receive_count: int = 1) -> Inbound:  # noqa: PLR0911 (one return per type)
    source = event.source
    user_id = getattr(source, "user_id", None) if source is not None else None
    mode = getattr(event.mode, "value", event.mode)
    context = EventContext(
        webhook_event_id=event.webhook_event_id,
        event_type=_event_type(event),
        timestamp_ms=event.timestamp,
        mode=str(mode),
        is_redelivery=bool(event.delivery_context and event.delivery_context.is_redelivery),
        reply_token=getattr(event, "reply_token", None),
        user_id=user_id,
        one_to_one=isinstance(source, UserSource),
        receive_count=receive_count,
    )
    if isinstance(event, UnknownEvent):
        return Inbound(kind=InboundKind.OTHER, context=context)
    if isinstance(event, FollowEvent):
        return Inbound(kind=InboundKind.FOLLOW, context=context, unblocked=event.follow.is_unblocked)
    if isinstance(event, UnfollowEvent):
        return Inbound(kind=InboundKind.UNFOLLOW, context=context)
    if isinstance(event, PostbackEvent):
        return Inbound(
            kind=InboundKind.POSTBACK,
            context=context,
            postback_data=event.postback.data,
            postback_params=dict(event.postback.params or {}),
        )
    if isinstance(event, MessageEvent):
        if isinstance(event.message, TextMessageContent):
            return Inbound(
                kind=InboundKind.TEXT, context=context, text=event.message.text, message_id=event.message.id
            )
        return Inbound(kind=InboundKind.MESSAGE, context=context, message_type=str(event.message.type))
    if isinstance(event, UnsendEvent):
        return Inbound(kind=InboundKind.UNSEND, context=context, message_id=event.unsend.message_id)
    return Inbound(kind=InboundKind.OTHER, context=context)


def _event_type(event: Event) -> str:
    # For metrics and logs: LINE's own type name, "unknown:<type>" for what the SDK could not model.
    if isinstance(event, UnknownEvent):
        return f"unknown:{str(event.type)[:40]}"
    return str(event.type)
