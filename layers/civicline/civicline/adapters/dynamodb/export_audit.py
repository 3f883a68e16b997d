"""Export's part of the Audit table: watermarks, and one record per export and per link issued.
(Data rights keep their records in the same table: data_rights_audit.py.)

Items (pk / sk):

- `watermark#<formId>` / `current`: `{formId, current, version, claim?: {exportId, upTo, leaseUntil},
  abandoned: [exportId...], lastExportId, updatedAt}`. Written only with a condition on `version`
  (optimistic locking): see civicline/domain/export/watermark.py.
- `export#<formId>` / `<exportId>`: the export (ExportResult without the URL): who asked (and where
  that name comes from), when, window, record count, object key, link expiry, encoding problems.
  Export ids start with their UTC time, so a form's exports sort by time.
- `export#<formId>` / `<exportId>#link#<issuedAt>`: a later link to the same file, with who asked.

Nothing here is personal data of residents; the URL itself is never stored (it is a bearer token).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import is_condition_failure, is_transaction_cancelled
from civicline.adapters.dynamodb import unavailable
from civicline.domain.export.errors import WatermarkMoved
from civicline.domain.export.watermark import Claim, Watermark
from civicline.models.export import ExportResult

WATERMARK_SK = "current"


def watermark_key(form_id: str) -> dict[str, str]:
    return {"pk": f"watermark#{form_id}", "sk": WATERMARK_SK}


def export_pk(form_id: str) -> str:
    return f"export#{form_id}"


def _watermark_item(watermark: Watermark, now: datetime) -> dict[str, Any]:
    item: dict[str, Any] = {
        **watermark_key(watermark.form_id),
        "formId": watermark.form_id,
        "version": watermark.version,
        "abandoned": list(watermark.abandoned),
        "updatedAt": now.isoformat(timespec="microseconds"),
    }
    if watermark.current is not None:
        item["current"] = watermark.current
    if watermark.last_export_id is not None:
        item["lastExportId"] = watermark.last_export_id
    if watermark.claim is not None:
        item["claim"] = {
            "exportId": watermark.claim.export_id,
            "upTo": watermark.claim.up_to,
            "leaseUntil": watermark.claim.lease_until.isoformat(),
        }
    return item


def _watermark(form_id: str, item: dict[str, Any] | None) -> Watermark:
    if item is None:
        return Watermark(form_id=form_id)
    claim = item.get("claim")
    return Watermark(
        form_id=form_id,
        current=item.get("current"),
        version=int(item.get("version", 0)),
        claim=Claim(
            export_id=str(claim["exportId"]),
            up_to=str(claim["upTo"]),
            lease_until=datetime.fromisoformat(claim["leaseUntil"]),
        )
        if claim
        else None,
        abandoned=tuple(str(a) for a in item.get("abandoned") or ()),
        last_export_id=item.get("lastExportId"),
    )


def _version_condition(expected_version: int) -> dict[str, Any]:
    if expected_version == 0:
        return {"ConditionExpression": "attribute_not_exists(pk)"}
    return {
        "ConditionExpression": "version = :expected",
        "ExpressionAttributeValues": {":expected": expected_version},
    }


def _record_item(result: ExportResult, sk: str) -> dict[str, Any]:
    body = result.model_dump(mode="json", by_alias=True, exclude={"url"}, exclude_none=True)
    return {"pk": export_pk(result.form_id), "sk": sk, "recordType": "export", **body}


class DynamoExportAudit:
    """AuditLog over the Audit table; `table` is a boto3 DynamoDB Table resource."""

    def __init__(self, table: Any) -> None:
        self._table_name = table.name
        self._table = table

    def watermark(self, form_id: str) -> Watermark:
        try:
            item = self._table.get_item(Key=watermark_key(form_id), ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Audit.get_item(watermark)") from error
        return _watermark(form_id, item)

    def replace_watermark(self, new: Watermark, expected_version: int) -> None:
        try:
            self._table.put_item(
                Item=_watermark_item(new, datetime.now(UTC)), **_version_condition(expected_version)
            )
        except ClientError as error:
            if is_condition_failure(error):
                raise WatermarkMoved(
                    f"watermark of {new.form_id} moved past version {expected_version}"
                ) from None
            raise unavailable(error, "Audit.put_item(watermark)") from error
        except BotoCoreError as error:
            raise unavailable(error, "Audit.put_item(watermark)") from error

    def commit(self, new: Watermark, expected_version: int, result: ExportResult) -> None:
        watermark_put = {
            "TableName": self._table_name,
            "Item": _watermark_item(new, result.issued_at),
            **_version_condition(expected_version),
        }
        record_put = {
            "TableName": self._table_name,
            "Item": _record_item(result, result.export_id),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        try:
            self._table.meta.client.transact_write_items(
                TransactItems=[{"Put": watermark_put}, {"Put": record_put}]
            )
        except ClientError as error:
            if is_transaction_cancelled(error):
                raise WatermarkMoved(
                    f"watermark of {new.form_id} moved: export {result.export_id} not committed"
                ) from None
            raise unavailable(error, "Audit.transact_write_items(commit)") from error
        except BotoCoreError as error:
            raise unavailable(error, "Audit.transact_write_items(commit)") from error

    def record(self, result: ExportResult) -> None:
        self._put(_record_item(result, result.export_id))

    def record_link(self, result: ExportResult) -> None:
        self._put(_record_item(result, f"{result.export_id}#link#{result.issued_at.isoformat()}"))

    def find(self, form_id: str, export_id: str) -> ExportResult | None:
        try:
            item = self._table.get_item(Key={"pk": export_pk(form_id), "sk": export_id}).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Audit.get_item(export)") from error
        if item is None:
            return None
        body = {k: _plain(v) for k, v in item.items() if k not in ("pk", "sk", "recordType")}
        return ExportResult.model_validate(body)

    def entries(self, form_id: str) -> list[dict[str, Any]]:
        """Every record of a form's exports and links, oldest first (for staff reports and tests)."""
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": export_pk(form_id)},
        }
        while True:
            try:
                page = self._table.query(**request)
            except (ClientError, BotoCoreError) as error:
                raise unavailable(error, "Audit.query(exports)") from error
            items.extend({k: _plain(v) for k, v in item.items()} for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _put(self, item: dict[str, Any]) -> None:
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Audit.put_item(export)") from error


def _plain(value: Any) -> Any:
    """DynamoDB's Decimals back to ints, inside lists and maps too."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "to_integral_value"):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
