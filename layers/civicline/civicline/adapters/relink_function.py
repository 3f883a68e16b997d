"""RichMenuRelinkFunction, started by the staff console's rich-menu switch: an asynchronous invoke (Lambda
queues the event and answers at once), since relinking a million residents outlasts an HTTP request."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import domain_error
from civicline.domain.errors import StoreUnavailable


class RelinkFunction:
    """Over a Lambda client (the console's: adapters.planner_function.planner_lambda_client)."""

    def __init__(self, client: Any, function_name: str) -> None:
        self._client = client
        self._function = function_name

    def start(self, mode: str, username: str, sub: str) -> None:
        event = {"mode": mode, "requestedBy": {"username": username, "sub": sub}}
        try:
            self._client.invoke(
                FunctionName=self._function, InvocationType="Event", Payload=json.dumps(event).encode()
            )
        except (ClientError, BotoCoreError) as error:
            raise domain_error(error, "Lambda.invoke(richmenu relink)", StoreUnavailable) from error
