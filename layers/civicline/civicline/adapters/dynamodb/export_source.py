"""The Applications table as the export reads and marks it (item shapes: adapters/dynamodb/applications.py).

Reading streams the `byFormReceived` index one page at a time (at most 1 MB each, DynamoDB's own
page), with only the attributes the file needs.

Marking an application exported is a conditional update (`status = received`, or marked by an
abandoned export) setting `status`, `exportedAt`, `exportId` and `purgeAt` (the TTL that deletes the
item, personal data and all, after the retention period; never later than the ceiling intake set, so
a late export does not extend how long the answers are kept), together with the removal of its intake
guard (which names the resident's user id and has no TTL of its own) unless the guard already names a
newer application. Fifty applications go in one TransactWriteItems (DynamoDB's limit is 100 actions):
one call per application would cost 100,000 round trips, more than the function's five minutes. If a
condition fails, the chunk is retried one application at a time, so one already exported application
never holds back the others. Chunks run on a few threads.

The low-level client is used on purpose: the resource layer's type conversion of every attribute
costs more than the rest of the export for large files.

About 300 lines as one unit: the adapter of one port (`ExportSource`), whose reading and marking share
the index, the item shapes and the client.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import cancellation_codes, is_transaction_cancelled
from civicline.adapters.dynamodb import unavailable
from civicline.adapters.dynamodb.applications import BY_FORM_RECEIVED_INDEX, guard_id, stored_language
from civicline.domain.applications.records import ApplicationRecord, ApplicationStatus
from civicline.domain.errors import StoreUnavailable
from civicline.domain.export.ports import Bounds, StoredApplication
from civicline.models.forms import SurveyResponse

MARK_WORKERS = 4
# The resource layer's client converts types on every call; this one speaks DynamoDB JSON as it is.
# Requests are built here, not from input, so botocore's client-side validation (a third of the
# marking's CPU for 100-action transactions) is switched off; DynamoDB validates them anyway.
_CONFIG = Config(
    parameter_validation=False,
    retries={"mode": "standard", "max_attempts": 4},
    connect_timeout=3,
    read_timeout=5,
    max_pool_connections=MARK_WORKERS + 2,
)
_APPLICATION_ATTRIBUTES = (
    "applicationId, formId, formVersion, kind, userId, submittedAt, receivedAt, receptionNumber, "
    "#status, pii, firstEdition, lastEdition, exportId, purgeAt, #language"
)


def export_dynamodb_client() -> Any:
    """The low-level client DynamoExportSource reads and marks with (built once by the composition root)."""
    return boto3.client("dynamodb", config=_CONFIG)


def _s(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return None if value is None else str(value.get("S", value.get("N", "")))


def _required(item: dict[str, Any], name: str) -> str:
    value = _s(item, name)
    if value is None:
        raise KeyError(name)
    return value


def _stored(item: dict[str, Any]) -> StoredApplication:
    first, last = _s(item, "firstEdition"), _s(item, "lastEdition")
    received = _required(item, "receivedAt")
    record = ApplicationRecord(
        application_id=_required(item, "applicationId"),
        user_id=_required(item, "userId"),
        form_id=_required(item, "formId"),
        form_version=int(_s(item, "formVersion") or 1),
        kind=_required(item, "kind"),
        submitted_at=datetime.fromisoformat(_required(item, "submittedAt")),
        received_at=datetime.fromisoformat(received),
        reception_number=_required(item, "receptionNumber"),
        pii=_s(item, "pii") or "",
        pii_masked={},
        first_edition=date.fromisoformat(first) if first else None,
        last_edition=date.fromisoformat(last) if last else None,
        status=ApplicationStatus(_s(item, "status") or ApplicationStatus.RECEIVED),
        purge_at=datetime.fromtimestamp(int(ceiling), UTC) if (ceiling := _s(item, "purgeAt")) else None,
        language=stored_language(_s(item, "language")),
    )
    return StoredApplication(record=record, received_key=received, export_id=_s(item, "exportId"))


def _key_condition(bounds: Bounds | None) -> tuple[str, dict[str, Any]]:
    if bounds is None:
        return "formId = :form", {}
    if bounds.lower is None:
        return "formId = :form AND receivedAt <= :upper", {":upper": {"S": bounds.upper}}
    # One condition per sort key: BETWEEN is inclusive, the open ends are cut by Bounds.holds.
    return (
        "formId = :form AND receivedAt BETWEEN :lower AND :upper",
        {":lower": {"S": bounds.lower}, ":upper": {"S": bounds.upper}},
    )


class DynamoExportSource:
    """ApplicationSource and SurveySource over the Applications table."""

    def __init__(self, client: Any, table_name: str, workers: int = MARK_WORKERS) -> None:
        self._table_name = table_name
        self._client = client
        self._workers = workers

    # ------------------------------------------------------------ reading

    def _pages(self, request: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """Each page's items. Only one page is held at a time: a generator keeps its locals across
        `yield`, so the page read is dropped before the next is asked for (else two 1 MB pages, parsed,
        would be alive at once: measured +5 MiB at the peak in `make bench`)."""
        while True:
            try:
                page = self._client.query(**request)
            except (ClientError, BotoCoreError) as error:
                raise unavailable(error, f"Applications.query({BY_FORM_RECEIVED_INDEX})") from error
            next_key = page.get("LastEvaluatedKey")
            items = page.get("Items", [])
            del page
            yield items
            del items
            if next_key is None:
                return
            request = {**request, "ExclusiveStartKey": next_key}

    def _query(
        self, form_id: str, bounds: Bounds | None, record_type: str, projection: str | None
    ) -> dict[str, Any]:
        condition, values = _key_condition(bounds)
        request: dict[str, Any] = {
            "TableName": self._table_name,
            "IndexName": BY_FORM_RECEIVED_INDEX,
            "KeyConditionExpression": condition,
            "FilterExpression": "recordType = :type",
            "ExpressionAttributeValues": {":form": {"S": form_id}, ":type": {"S": record_type}, **values},
        }
        if projection:
            request["ProjectionExpression"] = projection
            request["ExpressionAttributeNames"] = {"#status": "status", "#language": "language"}
        return request

    def pages(self, form_id: str, bounds: Bounds) -> Iterator[list[StoredApplication]]:
        request = self._query(form_id, bounds, "application", _APPLICATION_ATTRIBUTES)
        for items in self._pages(request):
            page = [_stored(item) for item in items]
            del items  # one page at a time (see _pages)
            held = [application for application in page if bounds.holds(application.received_key)]
            del page
            yield held
            del held

    def survey_responses(self, form_id: str, bounds: Bounds | None) -> Iterator[SurveyResponse]:
        request = self._query(form_id, bounds, "survey", None)
        for items in self._pages(request):
            for item in items:
                received = _required(item, "receivedAt")
                if bounds is not None and not bounds.holds(received):
                    continue
                yield SurveyResponse(
                    response_id=_required(item, "applicationId"),
                    user_id=_required(item, "userId"),
                    form_id=_required(item, "formId"),
                    form_version=int(_s(item, "formVersion") or 1),
                    answers=_answers(item.get("answers", {}).get("M", {})),
                    submitted_at=datetime.fromisoformat(_required(item, "submittedAt")),
                )

    # ------------------------------------------------------------ marking

    def mark_exported(
        self,
        applications: Sequence[StoredApplication],
        export_id: str,
        exported_at: datetime,
        purge_at: datetime,
        reclaimable: tuple[str, ...],
    ) -> set[str]:
        marking = _Marking(self._table_name, export_id, exported_at, purge_at, reclaimable)
        chunks = _chunks(applications)
        if not chunks:
            return set()

        def mark(chunk: list[StoredApplication]) -> set[str]:
            return self._mark_chunk(marking, chunk)

        with ThreadPoolExecutor(max_workers=max(1, min(self._workers, len(chunks)))) as pool:
            return set().union(*pool.map(mark, chunks))

    def _transact(self, actions: list[dict[str, Any]]) -> list[str] | None:
        """None when written, else the cancellation reason codes (one per action)."""
        try:
            self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if not is_transaction_cancelled(error):
                raise unavailable(error, "Applications.transact_write_items(exported)") from error
            return cancellation_codes(error) or ["?"]
        except BotoCoreError as error:
            raise unavailable(error, "Applications.transact_write_items(exported)") from error
        return None

    def _mark_chunk(self, marking: _Marking, chunk: list[StoredApplication]) -> set[str]:
        # The usual case: every application of the chunk is still `received`, one call marks them all.
        actions = [action for application in chunk for action in marking.actions(application)]
        if self._transact(actions) is None:
            return {application.record.application_id for application in chunk}
        return {marked for application in chunk if (marked := self._mark_one(marking, application))}

    def _mark_one(self, marking: _Marking, application: StoredApplication) -> str | None:
        codes = self._transact(marking.actions(application))
        if codes is None:
            return application.record.application_id
        update_code, guard_code = ([*codes, "", ""])[:2]
        if update_code == _CONDITION_FAILED:
            return None  # exported by another run already (or gone): not in this file
        if guard_code == _CONDITION_FAILED:
            # The guard names a newer application (this one is taken over from an abandoned export).
            return (
                application.record.application_id
                if self._transact([marking.update(application)]) is None
                else None
            )
        raise StoreUnavailable(f"marking {application.record.application_id} cancelled: {codes}")


_CONDITION_FAILED = "ConditionalCheckFailed"
TRANSACTION_ACTIONS = 100  # DynamoDB's limit per TransactWriteItems


def _guard_key(application: StoredApplication) -> str:
    record = application.record
    return guard_id(record.user_id, record.form_id, record.kind)


def _chunks(applications: Sequence[StoredApplication]) -> list[list[StoredApplication]]:
    """Chunks of up to 50 applications (two actions each), no guard twice in one (a transaction may
    touch an item once)."""
    chunks: list[list[StoredApplication]] = []
    current: list[StoredApplication] = []
    guards: set[str] = set()
    for application in applications:
        guard = _guard_key(application)
        if len(current) * 2 >= TRANSACTION_ACTIONS or guard in guards:
            chunks.append(current)
            current, guards = [], set()
        current.append(application)
        guards.add(guard)
    if current:
        chunks.append(current)
    return chunks


class _Marking:
    """The writes that mark one application exported and release its guard."""

    def __init__(
        self,
        table_name: str,
        export_id: str,
        exported_at: datetime,
        purge_at: datetime,
        reclaimable: tuple[str, ...],
    ) -> None:
        self._table_name = table_name
        self._purge_at = purge_at
        self._values: dict[str, Any] = {
            ":exported": {"S": ApplicationStatus.EXPORTED.value},
            ":received": {"S": ApplicationStatus.RECEIVED.value},
            ":at": {"S": exported_at.isoformat(timespec="microseconds")},
            ":export": {"S": export_id},
            ":purge": {"N": str(int(purge_at.timestamp()))},
        }
        condition = "#status = :received"
        if reclaimable:
            names = [f":reclaim{n}" for n in range(len(reclaimable))]
            self._values.update({name: {"S": value} for name, value in zip(names, reclaimable, strict=True)})
            condition = f"#status = :received OR exportId IN ({', '.join(names)})"
        self._condition = f"attribute_exists(applicationId) AND ({condition})"

    def update(self, application: StoredApplication) -> dict[str, Any]:
        values = self._values
        ceiling = application.record.purge_at
        if ceiling is not None and ceiling < self._purge_at:
            values = {**values, ":purge": {"N": str(int(ceiling.timestamp()))}}
        return {
            "Update": {
                "TableName": self._table_name,
                "Key": {"applicationId": {"S": application.record.application_id}},
                "UpdateExpression": (
                    "SET #status = :exported, exportedAt = :at, exportId = :export, purgeAt = :purge"
                ),
                "ConditionExpression": self._condition,
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": values,
            }
        }

    def release_guard(self, application: StoredApplication) -> dict[str, Any]:
        """Remove the resident's guard unless it names another (newer) application."""
        return {
            "Delete": {
                "TableName": self._table_name,
                "Key": {"applicationId": {"S": _guard_key(application)}},
                "ConditionExpression": "attribute_not_exists(applicationId) OR holderId = :holder",
                "ExpressionAttributeValues": {":holder": {"S": application.record.application_id}},
            }
        }

    def actions(self, application: StoredApplication) -> list[dict[str, Any]]:
        return [self.update(application), self.release_guard(application)]


def _answers(attributes: dict[str, Any]) -> dict[str, str | int | bool | None]:
    answers: dict[str, str | int | bool | None] = {}
    for name, value in attributes.items():
        if "S" in value:
            answers[name] = value["S"]
        elif "N" in value:
            answers[name] = int(float(value["N"]))
        elif "BOOL" in value:
            answers[name] = bool(value["BOOL"])
        else:
            answers[name] = None
    return answers
