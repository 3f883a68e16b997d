"""Staff exports of applications: CSV in S3, presigned link, audit record (civicline.domain.export).

The events it takes and its answers: civicline.services.export. The link is never logged: it is a
bearer token to applicants' personal data.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.services.export import ExportService

logger = Logger()
service = ExportService(logger)
tuning = service.tuning


@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return service.handle(event, context)
