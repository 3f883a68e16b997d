"""Returns what API Gateway gave it, so tests can look at the event."""

import json
import os

from aws_lambda_powertools import Logger
from fixturelib import GREETING

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event, context):
    logger.info("echo", route=event.get("routeKey"))
    if event.get("rawPath") == "/items/raw":
        return {"itemId": "raw"}
    if event.get("rawPath") == "/items/boom":
        raise ValueError("boom")
    return {
        "statusCode": 201,
        "headers": {"content-type": "application/json", "x-fixture": "echo"},
        "cookies": ["session=abc; Path=/"],
        "body": json.dumps(
            {
                "event": event,
                "greeting": GREETING,
                "stage": os.environ["STAGE_LABEL"],
                "function": context.function_name,
            }
        ),
    }
