"""The applications queue: where the conversation worker hands completed forms to intake.

One message per submission, its body the model's JSON: an `Application` or a `SurveyResponse` (told
apart by shape: the models forbid extra fields, so a body validates as exactly one of them). The queue
is a standard one (no deduplication id): a message sent twice — the worker retried its event — is
harmless, because intake is idempotent on the submission (or response) id.

Intake receives the records as `SubmissionRecord`s (submission_record.py, apart: Powertools' parser
models cost the conversation worker's cold start ~0.15 s it does not need for sending).

Usage (the conversation worker's composition root)::

    queue = ApplicationsQueue(sqs_client(), env.applications_queue_url)
    queue.send(application)        # or queue.send(survey_response)
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import TypeAdapter, ValidationError

from civicline.adapters.aws_errors import error_code
from civicline.domain.applications.errors import MalformedSubmission
from civicline.domain.errors import EnqueueFailed
from civicline.models.forms import Application, SurveyResponse
from civicline.models.validation import invalid_fields

Submission = Application | SurveyResponse
_SUBMISSION: TypeAdapter[Submission] = TypeAdapter(Submission)


def submission_id(submission: Submission) -> str:
    return submission.submission_id if isinstance(submission, Application) else submission.response_id


class ApplicationsQueue:
    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._queue_url = queue_url

    def send(self, submission: Submission) -> None:
        """Enqueued, or EnqueueFailed (the worker's event fails and is retried; intake drops repeats)."""
        try:
            self._sqs.send_message(QueueUrl=self._queue_url, MessageBody=submission.model_dump_json())
        except (ClientError, BotoCoreError) as error:
            raise EnqueueFailed(
                f"submission {submission_id(submission)} not enqueued: {error_code(error)}"
            ) from error


def parse_submission(body: str) -> Submission:
    """The message body as its model, or MalformedSubmission naming the failing fields (never values)."""
    try:
        return _SUBMISSION.validate_json(body)
    except ValidationError as error:
        raise MalformedSubmission(
            f"not an application or survey response; fields: {invalid_fields(error)}"
        ) from None
