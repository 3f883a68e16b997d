"""The Applications table as intake, 申請状況 and the survey recorder use it (shapes: docs/contracts.md).

Items written here, all keyed by `applicationId`:

- application `{applicationId: <submission id>, recordType: "application", formId, formVersion, kind,
  userId, submittedAt, receivedAt, receptionNumber, status: "received", pii, piiMasked, firstEdition?,
  lastEdition?, purgeAt}`: `purgeAt` (TTL) is the retention ceiling, set at intake; export lowers it.
- guard `{applicationId: "guard#<userId>#<formId>#<kind>", recordType: "guard", holderId,
  receptionNumber, guardedAt, purgeAt}`: written in the same transaction as the application it names,
  with a condition, so two pending applications of one kind can never both be stored. It carries no
  userId or formId attribute, so it stays out of both indexes; it expires with its application.
- counter `{applicationId: "counter#<prefix>#<YYYYMMDD>", recordType: "counter", lastNumber, purgeAt}`:
  the day's reception sequence (UpdateItem ADD, atomic); removed by TTL once its JST day is over.
- survey `{applicationId: <response id>, recordType: "survey", formId, formVersion, userId, submittedAt,
  receivedAt, answers, freeText?, freeTextLengths?, purgeAt}`: `answers` holds the choices only; typed
  answers (ご意見) are personal data, sealed under the PII key in `freeText`, with only their lengths
  in clear (for 登録情報の確認); `purgeAt` is the survey retention.

Timestamps are ISO-8601 in UTC with microseconds (`2026-11-27T01:02:03.123456+00:00`), so they sort as
strings in the indexes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import cancellation_codes, is_condition_failure, is_transaction_cancelled
from civicline.adapters.dynamodb import unavailable
from civicline.domain.applications.errors import AlreadyStored, PendingGuardTaken
from civicline.domain.applications.records import (
    ApplicationRecord,
    ApplicationStatus,
    PendingHolder,
    StatusEntry,
    SurveyRecord,
)
from civicline.models.forms import SurveyResponse
from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.ward_time import stored_time

BY_USER_INDEX = "byUser"
BY_FORM_RECEIVED_INDEX = "byFormReceived"
COUNTER_KEEP = timedelta(days=2)  # past its JST day a counter is never read again


def guard_id(user_id: str, form_id: str, kind: str) -> str:
    """The guard's key: one pending application per resident, form and kind."""
    return f"guard#{user_id}#{form_id}#{kind}"


def counter_id(prefix: str, day: date) -> str:
    return f"counter#{prefix}#{day:%Y%m%d}"


def _application_item(record: ApplicationRecord) -> dict[str, Any]:
    item: dict[str, Any] = {
        "applicationId": record.application_id,
        "recordType": "application",
        "formId": record.form_id,
        "formVersion": record.form_version,
        "kind": record.kind,
        "userId": record.user_id,
        "submittedAt": stored_time(record.submitted_at),
        "receivedAt": stored_time(record.received_at),
        "receptionNumber": record.reception_number,
        "status": record.status.value,
        "pii": record.pii,
        "piiMasked": dict(record.pii_masked),
        "language": record.language.value,
    }
    if record.first_edition is not None:
        item["firstEdition"] = record.first_edition.isoformat()
    if record.last_edition is not None:
        item["lastEdition"] = record.last_edition.isoformat()
    if record.purge_at is not None:
        item["purgeAt"] = epoch(record.purge_at)
    return item


def stored_language(value: object) -> Language:
    """An application's language as stored; absent (applied before languages) reads as Japanese."""
    try:
        return Language(str(value)) if value is not None else DEFAULT_LANGUAGE
    except ValueError:
        return DEFAULT_LANGUAGE


def epoch(moment: datetime) -> int:
    """A DynamoDB TTL value (seconds since the epoch)."""
    return int(moment.timestamp())


def _record(item: dict[str, Any]) -> ApplicationRecord:
    return ApplicationRecord(
        application_id=str(item["applicationId"]),
        user_id=str(item["userId"]),
        form_id=str(item["formId"]),
        form_version=int(item["formVersion"]),
        kind=str(item["kind"]),
        submitted_at=datetime.fromisoformat(item["submittedAt"]),
        received_at=datetime.fromisoformat(item["receivedAt"]),
        reception_number=str(item["receptionNumber"]),
        pii=str(item.get("pii", "")),
        pii_masked={str(k): str(v) for k, v in (item.get("piiMasked") or {}).items()},
        first_edition=date.fromisoformat(item["firstEdition"]) if item.get("firstEdition") else None,
        last_edition=date.fromisoformat(item["lastEdition"]) if item.get("lastEdition") else None,
        status=ApplicationStatus(item.get("status", ApplicationStatus.RECEIVED)),
        purge_at=datetime.fromtimestamp(int(item["purgeAt"]), UTC) if item.get("purgeAt") else None,
        language=stored_language(item.get("language")),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class DynamoApplications:
    """ApplicationStore, StatusSource and SurveyStore over the Applications table (a boto3 Table resource)."""

    def __init__(self, table: Any) -> None:
        self._table_name = table.name
        self._table = table

    # -- intake -------------------------------------------------------------------------------------
    def get(self, application_id: str) -> ApplicationRecord | None:
        item = self._get(application_id)
        return _record(item) if item and item.get("recordType") == "application" else None

    def pending_holder(self, user_id: str, form_id: str, kind: str) -> PendingHolder | None:
        guard = self._get(guard_id(user_id, form_id, kind))
        if not guard:
            return None
        holder_id = str(guard["holderId"])
        held = self._get(holder_id, projection="#status")
        status = ApplicationStatus(held["status"]) if held and held.get("status") else None
        return PendingHolder(
            application_id=holder_id, reception_number=str(guard.get("receptionNumber", "")), status=status
        )

    def next_sequence(self, prefix: str, day: date) -> int:
        purge_at = int((datetime.combine(day, datetime.min.time(), UTC) + COUNTER_KEEP).timestamp())
        try:
            answer = self._table.update_item(
                Key={"applicationId": counter_id(prefix, day)},
                UpdateExpression="ADD lastNumber :one SET recordType = :counter, purgeAt = :purge",
                ExpressionAttributeValues={":one": 1, ":counter": "counter", ":purge": purge_at},
                ReturnValues="UPDATED_NEW",
            )
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Applications.update_item(counter)") from error
        return int(answer["Attributes"]["lastNumber"])

    def add(self, record: ApplicationRecord, replacing_holder: str | None) -> None:
        guard: dict[str, Any] = {
            "applicationId": guard_id(record.user_id, record.form_id, record.kind),
            "recordType": "guard",
            "holderId": record.application_id,
            "receptionNumber": record.reception_number,
            "guardedAt": stored_time(record.received_at),
        }
        if record.purge_at is not None:
            guard["purgeAt"] = epoch(record.purge_at)  # its key names the resident: never kept longer
        guard_put: dict[str, Any] = {"TableName": self._table_name, "Item": guard}
        if replacing_holder is None:
            guard_put["ConditionExpression"] = "attribute_not_exists(applicationId)"
        else:
            guard_put["ConditionExpression"] = "holderId = :released"
            guard_put["ExpressionAttributeValues"] = {":released": replacing_holder}
        try:
            self._table.meta.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table_name,
                            "Item": _application_item(record),
                            "ConditionExpression": "attribute_not_exists(applicationId)",
                        }
                    },
                    {"Put": guard_put},
                ]
            )
        except ClientError as error:
            if not is_transaction_cancelled(error):
                raise unavailable(error, "Applications.transact_write_items") from error
            codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                raise AlreadyStored(f"application {record.application_id} already stored") from None
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                raise PendingGuardTaken(f"guard for {record.application_id} taken") from None
            if not codes and self._get(record.application_id):  # reasons not reported: look
                raise AlreadyStored(f"application {record.application_id} already stored") from None
            if not codes:
                raise PendingGuardTaken(f"guard for {record.application_id} taken") from None
            raise unavailable(error, "Applications.transact_write_items") from error
        except BotoCoreError as error:
            raise unavailable(error, "Applications.transact_write_items") from error

    # -- 申請状況 -----------------------------------------------------------------------------------
    def statuses_of(self, user_id: str, limit: int) -> list[StatusEntry]:
        entries: list[StatusEntry] = []
        query: dict[str, Any] = {
            "IndexName": BY_USER_INDEX,
            "KeyConditionExpression": "userId = :user",
            "FilterExpression": "recordType = :application",
            "ProjectionExpression": "receptionNumber, formId, kind, #status, submittedAt",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":user": user_id, ":application": "application"},
            "ScanIndexForward": False,
        }
        for item in self._query(query):
            entries.append(
                StatusEntry(
                    reception_number=str(item["receptionNumber"]),
                    form_id=str(item["formId"]),
                    kind=str(item["kind"]),
                    status=ApplicationStatus(item["status"]),
                    submitted_at=datetime.fromisoformat(item["submittedAt"]),
                )
            )
            if len(entries) >= limit:
                break
        return entries

    # -- surveys ------------------------------------------------------------------------------------
    def add_survey(self, record: SurveyRecord) -> bool:
        response = record.response
        item: dict[str, Any] = {
            "applicationId": response.response_id,
            "recordType": "survey",
            "formId": response.form_id,
            "formVersion": response.form_version,
            "userId": response.user_id,
            "submittedAt": stored_time(response.submitted_at),
            "receivedAt": stored_time(record.received_at),
            "answers": dict(response.answers),
            "purgeAt": epoch(record.purge_at),
        }
        if record.free_text is not None:
            item["freeText"] = record.free_text
            item["freeTextLengths"] = dict(record.free_text_lengths)
        try:
            # A newer answer of the same response id (one per resident and survey) replaces the stored
            # one; the same answer delivered again, or an older one arriving late, changes nothing.
            self._table.put_item(
                Item=item,
                ConditionExpression="attribute_not_exists(applicationId) OR submittedAt < :submitted",
                ExpressionAttributeValues={":submitted": item["submittedAt"]},
            )
        except ClientError as error:
            if is_condition_failure(error):
                return False
            raise unavailable(error, "Applications.put_item(survey)") from error
        except BotoCoreError as error:
            raise unavailable(error, "Applications.put_item(survey)") from error
        return True

    def survey_responses(self, form_id: str) -> Iterator[SurveyResponse]:
        """Every stored response of a survey form, oldest first (for staff's per-choice counts)."""
        query: dict[str, Any] = {
            "IndexName": BY_FORM_RECEIVED_INDEX,
            "KeyConditionExpression": "formId = :form",
            "FilterExpression": "recordType = :survey",
            "ExpressionAttributeValues": {":form": form_id, ":survey": "survey"},
        }
        for item in self._query(query):
            yield SurveyResponse(
                response_id=str(item["applicationId"]),
                user_id=str(item["userId"]),
                form_id=str(item["formId"]),
                form_version=int(item["formVersion"]),
                answers={str(k): _plain(v) for k, v in (item.get("answers") or {}).items()},
                submitted_at=datetime.fromisoformat(item["submittedAt"]),
            )

    # -- plumbing -----------------------------------------------------------------------------------
    def _get(self, application_id: str, projection: str | None = None) -> dict[str, Any] | None:
        request: dict[str, Any] = {"Key": {"applicationId": application_id}, "ConsistentRead": True}
        if projection:
            request["ProjectionExpression"] = projection
            request["ExpressionAttributeNames"] = {"#status": "status"}
        try:
            item: dict[str, Any] | None = self._table.get_item(**request).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Applications.get_item") from error
        return item

    def _query(self, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
        request = dict(query)
        while True:
            try:
                page = self._table.query(**request)
            except (ClientError, BotoCoreError) as error:
                raise unavailable(error, f"Applications.query({query.get('IndexName')})") from error
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
