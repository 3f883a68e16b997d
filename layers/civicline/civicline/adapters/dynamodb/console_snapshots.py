"""The console's snapshot items in the StaffConsole table (key `pk`).

- `snapshot#dashboard`: `{pk, counts, asOf}`: the DashboardSnapshot as JSON (counts only);
- `snapshot#survey#<formId>`: `{pk, counts, asOf}`: the survey's SurveyResults as JSON (counts only).

Written only with a condition on `asOf`, so a slow refresh finishing after a newer one never puts older
counts back. The counts are one JSON string rather than a map: read whole, written whole, never queried.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import is_condition_failure, unavailable
from civicline.models.dashboard import DashboardSnapshot
from civicline.models.survey_results import SurveyResults

DASHBOARD_KEY = "snapshot#dashboard"


def survey_key(form_id: str) -> str:
    return f"snapshot#survey#{form_id}"


class DynamoConsoleSnapshots:
    """SnapshotStore over the StaffConsole table (`table`: its boto3 Table resource)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def save(self, snapshot: DashboardSnapshot, surveys: list[SurveyResults]) -> None:
        assert snapshot.as_of is not None
        as_of = snapshot.as_of.isoformat()
        for result in surveys:
            self._put(survey_key(result.form_id), result.model_dump_json(by_alias=True), as_of)
        self._put(DASHBOARD_KEY, snapshot.model_dump_json(by_alias=True), as_of)

    def dashboard(self) -> DashboardSnapshot:
        body = self._get(DASHBOARD_KEY)
        return DashboardSnapshot() if body is None else DashboardSnapshot.model_validate_json(body)

    def survey(self, form_id: str) -> SurveyResults | None:
        body = self._get(survey_key(form_id))
        return None if body is None else SurveyResults.model_validate_json(body)

    def _put(self, pk: str, body: str, as_of: str) -> None:
        try:
            self._table.put_item(
                Item={"pk": pk, "counts": body, "asOf": as_of},
                ConditionExpression="attribute_not_exists(pk) OR asOf < :asOf",
                ExpressionAttributeValues={":asOf": as_of},
            )
        except ClientError as error:
            if is_condition_failure(error):
                return  # a newer refresh stored its counts already: they stand
            raise unavailable(error, "StaffConsole.put_item(snapshot)") from error
        except BotoCoreError as error:
            raise unavailable(error, "StaffConsole.put_item(snapshot)") from error

    def _get(self, pk: str) -> str | None:
        try:
            item = self._table.get_item(Key={"pk": pk}).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "StaffConsole.get_item(snapshot)") from error
        return None if item is None else str(item["counts"])
