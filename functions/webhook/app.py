"""POST /webhook: LINE → events.fifo. Kept lean: LINE gives up after 2 s, cold start included.

No line-bot-sdk and no Tracer here (they cost 0.35 s and 0.25 s of import); the function is still
traced by Lambda's active tracing, and the conversation worker does the SDK work off the deadline.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.adapters.sqs.events_queue import EventsQueue
from civicline.domain.webhook.ingress import IngressResult, IngressStatus, receive

logger = Logger()
metrics = Metrics()
# Literal names, so the alarms' and dashboard's test can read what the webhook emits.
REFUSAL_METRICS = {
    IngressStatus.MALFORMED: "WebhookMalformed",
    IngressStatus.BAD_SIGNATURE: "WebhookBadSignature",
    IngressStatus.TOO_LARGE: "WebhookTooLarge",
    IngressStatus.NOT_ENQUEUED: "WebhookNotEnqueued",
    IngressStatus.SECRET_NOT_SET: "WebhookSecretNotSet",
}

# Read directly rather than through a pydantic model: the model's import would be the costliest line
# of this cold path. Missing variables fail the cold start with a KeyError naming them.
_QUEUE = EventsQueue(boto3.client("sqs"), os.environ["EVENTS_QUEUE_URL"])
_SECRET_ID = os.environ["LINE_SECRET_ID"]
_SECRET_MAX_AGE_SECONDS = 300
# Given our client, the provider shares boto3's default session; left alone it builds a session of its
# own, which reloads botocore's endpoint data and costs ~80 ms of the cold start.
_SECRETS = parameters.SecretsProvider(boto3_client=boto3.client("secretsmanager"))


def _raw_body(event: dict[str, Any]) -> bytes | None:
    """The bytes LINE signed, or None when API Gateway's base64 does not decode (nothing LINE sent)."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except ValueError:  # binascii.Error (bad padding, stray characters) or non-ASCII text
            return None
    # A lone surrogate (from a "\ud800" escape in the event) would fail a strict encode with a 500;
    # passed through, it fails the signature or the UTF-8 check and is answered 400 or 401.
    return body.encode("utf-8", errors="surrogatepass")


def _signature(event: dict[str, Any]) -> str | None:
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == "x-line-signature":
            return str(value)
    return None


def _channel_secret() -> str:
    credentials: Any = _SECRETS.get(_SECRET_ID, transform="json", max_age=_SECRET_MAX_AGE_SECONDS)
    return str(credentials["channelSecret"])


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    body = _raw_body(event)
    if body is None:
        result = IngressResult(IngressStatus.MALFORMED, reason="body is not valid base64")
    else:
        result = receive(body, _signature(event), _channel_secret(), _QUEUE)
    # IDs, types and fixed reasons only: the body holds residents' messages.
    log = logger.error if result.status is IngressStatus.SECRET_NOT_SET else logger.info
    log(
        "webhook handled",
        outcome=result.status.name,
        reason=result.reason,
        event_types=result.event_types,
        webhook_event_ids=result.event_ids,
    )
    if result.status is IngressStatus.ACCEPTED:
        metrics.add_metric(name="EventsEnqueued", unit=MetricUnit.Count, value=len(result.event_ids))
    else:
        metrics.add_metric(name=REFUSAL_METRICS[result.status], unit=MetricUnit.Count, value=1)
    return {
        "statusCode": result.status.http_status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"status": result.status.name.lower()}),
    }
