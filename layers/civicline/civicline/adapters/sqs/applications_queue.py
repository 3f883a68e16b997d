"""The applications queue: where the conversation worker hands completed forms to intake.

One message per submission, its body the model's JSON: an `Application` or a `SurveyResponse` (told
apart by shape: the models forbid extra fields, so a body validates as exactly one of them). The queue
is a standard one (no deduplication id): a message sent twice — the worker retried its event — is
harmless, because intake is idempotent on the submission (or response) id.

Usage (conversation worker)::

    queue = ApplicationsQueue(environment(ConversationEnvironment).applications_queue_url)
    queue.send(application)        # or queue.send(survey_response)
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import TypeAdapter, ValidationError

from civicline.domain.applications.errors import MalformedSubmission
from civicline.domain.errors import EnqueueFailed
from civicline.models.forms import Application, SurveyResponse

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=5)

Submission = Application | SurveyResponse
_SUBMISSION: TypeAdapter[Submission] = TypeAdapter(Submission)


@cache
def _sqs_client() -> Any:
    return boto3.client("sqs", config=_CONFIG)


def submission_id(submission: Submission) -> str:
    return submission.submission_id if isinstance(submission, Application) else submission.response_id


class ApplicationsQueue:
    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self._queue_url = queue_url
        self._sqs = client or _sqs_client()

    def send(self, submission: Submission) -> None:
        """Enqueued, or EnqueueFailed (the worker's event fails and is retried; intake drops repeats)."""
        try:
            self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=submission.model_dump_json())
        except (ClientError, BotoCoreError) as error:
            code = error.response.get("Error", {}).get("Code", "?") if isinstance(error, ClientError) else ""
            raise EnqueueFailed(
                f"submission {submission_id(submission)} not enqueued: {code or type(error).__name__}"
            ) from error


def parse_submission(body: str) -> Submission:
    """The message body as its model, or MalformedSubmission naming the failing fields (never values)."""
    try:
        return _SUBMISSION.validate_json(body)
    except ValidationError as error:
        fields = sorted({".".join(str(part) for part in e["loc"]) for e in error.errors()})[:10]
        raise MalformedSubmission(f"not an application or survey response; fields: {fields}") from None
