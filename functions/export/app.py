"""Staff exports of applications: CSV in S3, presigned link, audit record (civicline.domain.export).

The composition root: the service is built once per container from explicit adapters. The events it
takes and its answers: civicline.services.export. The link is never logged: it is a bearer token to
applicants' personal data.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext

from civicline.models.environment import ExportEnvironment
from civicline.models.export import ExportTuning
from civicline.services import export

logger = Logger()
metrics = Metrics()
service = export.build(ExportEnvironment.from_environ(), ExportTuning.from_environ(), logger, metrics)


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return service.handle(event, context)
