"""Counting one form's applications for the console snapshot (the byFormReceived index, status only).

Reads every application the form still holds (at most the retention ceiling's worth), projecting
`status` and `recordType` only: the sealed answers are never read into this function. Survey responses
are read as the survey export reads them (export_source.py), and only their choices are counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import unavailable
from civicline.adapters.dynamodb.applications import BY_FORM_RECEIVED_INDEX
from civicline.adapters.dynamodb.export_source import DynamoExportSource
from civicline.domain.applications.records import ApplicationStatus
from civicline.domain.dashboard.ports import ApplicationCounts
from civicline.models.forms import SurveyResponse


class DynamoApplicationCounts:
    """ApplicationCountSource over the Applications table (a plain client, wire format)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table_name = table_name
        self._surveys = DynamoExportSource(client, table_name)

    def application_counts(self, form_id: str) -> ApplicationCounts:
        request: dict[str, Any] = {
            "TableName": self._table_name,
            "IndexName": BY_FORM_RECEIVED_INDEX,
            "KeyConditionExpression": "formId = :form",
            "FilterExpression": "recordType = :application",
            "ProjectionExpression": "#status",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":form": {"S": form_id}, ":application": {"S": "application"}},
        }
        waiting = exported = 0
        while True:
            try:
                page = self._client.query(**request)
            except (ClientError, BotoCoreError) as error:
                raise unavailable(error, f"Applications.query({BY_FORM_RECEIVED_INDEX}, counts)") from error
            for item in page.get("Items", []):
                status = item.get("status", {}).get("S")
                waiting += status == ApplicationStatus.RECEIVED.value
                exported += status == ApplicationStatus.EXPORTED.value
            if "LastEvaluatedKey" not in page:
                return ApplicationCounts(form_id=form_id, waiting=waiting, exported=exported)
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def survey_responses(self, form_id: str) -> Iterator[SurveyResponse]:
        return self._surveys.survey_responses(form_id, None)
