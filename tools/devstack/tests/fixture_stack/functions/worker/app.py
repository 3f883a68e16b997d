"""A queue worker whose behaviour each message body chooses, so tests can drive retries."""

import json

SEEN: list[dict] = []


def lambda_handler(event, context):
    SEEN.append(event)
    failures = []
    for record in event["Records"]:
        if record["body"].startswith("fail"):
            failures.append({"itemIdentifier": record["messageId"]})
        if record["body"] == "raise":
            raise RuntimeError("the whole batch fails")
    return {"batchItemFailures": failures}


def ordered_handler(event, context):
    SEEN.append(event)
    print(json.dumps({"fixture": "ordered", "count": len(event["Records"])}))
    if any(record["body"] == "raise" for record in event["Records"]):
        raise RuntimeError("the whole batch fails")
