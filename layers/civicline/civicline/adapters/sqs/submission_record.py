"""An applications-queue record as intake receives it: Powertools' SQS record model, its body parsed.

Given to intake's `ValidatingSqsBatchProcessor(SubmissionRecord, ...)`: a body that is neither an
`Application` nor a `SurveyResponse` fails validation there and is a malformed record (policy:
docs/contracts.md, "Malformed messages"; code: civicline.services.malformed_records).
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json

from civicline.adapters.sqs.applications_queue import Submission


class SubmissionRecord(SqsRecordModel):
    body: Json[Submission]  # SqsRecordModel's body is the raw string; here it is parsed
