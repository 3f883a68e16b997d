"""A resident's data across Users, Conversations and Applications: read for 「登録情報の確認」, erased on
「登録情報の削除」 (what goes and what stays: civicline/domain/data_rights/__init__.py).

The erasure is a sequence of single-item writes, each safe to repeat, ordered so that a retry after a
partial run still finds what is left:

1. the resident's applications and survey answers, found through the `byUser` index;
2. the intake guards (`guard#<userId>#<formId>#<kind>`): their keys name the user id, so they are
   deleted, for every (form, kind) of the applications found and of the form definitions (a guard can
   outlive its application);
3. each application: `userId` → `erased#<applicationId>`, `pii` and `piiMasked` removed, `status`
   purged, `erasedAt` set, a `purgeAt` TTL if it had none; each survey answer: its sealed typed answers
   (`freeText`, `freeTextLengths`) removed, `userId` replaced, a `purgeAt` TTL if it had none. The
   condition `userId = :user` makes a repeat a no-op and never touches another resident's item;
4. the open conversation, then the Users item.

Reads never include `pii` (the sealed answers): the conversation worker cannot decrypt them, and must
not. Nothing here logs or raises item content: errors name the operation and the error code.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import is_condition_failure, unavailable
from civicline.adapters.dynamodb.applications import BY_USER_INDEX, guard_id, timestamp
from civicline.adapters.dynamodb.conversations import DynamoConversations
from civicline.adapters.dynamodb.data_rights_audit import DynamoDataRightsAudit
from civicline.adapters.dynamodb.residents import DynamoResidents
from civicline.domain.applications.records import ApplicationStatus
from civicline.domain.data_rights.identity import erased_owner
from civicline.domain.data_rights.records import (
    Erasure,
    ErasureRequest,
    HeldApplication,
    Holdings,
    KeptApplication,
)

__all__ = ["DynamoDataRights", "DynamoDataRightsAudit"]

_APPLICATION = "application"
_SURVEY = "survey"
# Masked copies only: never `pii` or `freeText` (the sealed answers).
_HELD_ATTRIBUTES = ", ".join(
    [
        "applicationId",
        "recordType",
        "receptionNumber",
        "formId",
        "kind",
        "#status",
        "submittedAt",
        "piiMasked",
        "freeTextLengths",
    ]
)


class DynamoDataRights:
    """DataRightsStore over the Users, Conversations and Applications tables."""

    def __init__(self, users_table: Any, conversations_table: Any, applications_table: Any) -> None:
        """Each argument is the table's boto3 Table resource."""
        self._residents = DynamoResidents(users_table)
        self._conversations = DynamoConversations(conversations_table)
        self._users = users_table
        self._conversation_items = conversations_table
        self._applications = applications_table

    # -- 登録情報の確認 -----------------------------------------------------------------------------
    def holdings(self, user_id: str) -> Holdings:
        applications: list[HeldApplication] = []
        surveys = 0
        free_texts: list[int] = []
        for item in self._owned(user_id, newest_first=True):
            if item.get("recordType") == _SURVEY:
                surveys += 1
                free_texts += [int(length) for length in (item.get("freeTextLengths") or {}).values()]
            elif item.get("recordType") == _APPLICATION:
                applications.append(_held(item))
        conversation = self._conversations.load(user_id)
        return Holdings(
            resident=self._residents.get(user_id),
            applications=tuple(applications),
            surveys=surveys,
            survey_free_texts=tuple(free_texts),
            open_flow=conversation.flow if conversation else None,
        )

    # -- 登録情報の削除 -----------------------------------------------------------------------------
    def erase(self, user_id: str, request: ErasureRequest) -> Erasure:
        owned = list(self._owned(user_id, newest_first=True))
        applications = [item for item in owned if item.get("recordType") == _APPLICATION]
        surveys = [item for item in owned if item.get("recordType") == _SURVEY]
        form_kinds = set(request.form_kinds) | {
            (str(item["formId"]), str(item["kind"]))
            for item in applications
            if "formId" in item and "kind" in item
        }
        guards = sum(self._delete_guard(user_id, form_id, kind) for form_id, kind in sorted(form_kinds))
        kept: list[KeptApplication] = []
        for item in applications:
            previous = self._strip_application(user_id, str(item["applicationId"]), request)
            if previous is not None:
                kept.append(
                    KeptApplication(
                        reception_number=str(item.get("receptionNumber", "")),
                        withdrawn=previous == ApplicationStatus.RECEIVED.value,
                    )
                )
        unlinked = [self._unlink_survey(user_id, str(item["applicationId"]), request) for item in surveys]
        conversation = self._delete(self._conversation_items, user_id, "Conversations")
        profile = self._delete(self._users, user_id, "Users")
        return Erasure(
            profile=profile,
            conversation=conversation,
            applications=tuple(kept),
            surveys=sum(1 for previous in unlinked if previous is not None),
            survey_free_texts=sum(1 for previous in unlinked if previous and "freeText" in previous),
            guards=guards,
        )

    # -- steps --------------------------------------------------------------------------------------
    def _owned(self, user_id: str, *, newest_first: bool) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {
            "IndexName": BY_USER_INDEX,
            "KeyConditionExpression": "userId = :user",
            "ProjectionExpression": _HELD_ATTRIBUTES,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":user": user_id},
            "ScanIndexForward": not newest_first,
        }
        while True:
            try:
                page = self._applications.query(**request)
            except (ClientError, BotoCoreError) as error:
                raise unavailable(error, f"Applications.query({BY_USER_INDEX})") from error
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _delete_guard(self, user_id: str, form_id: str, kind: str) -> int:
        try:
            answer = self._applications.delete_item(
                Key={"applicationId": guard_id(user_id, form_id, kind)}, ReturnValues="ALL_OLD"
            )
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Applications.delete_item(guard)") from error
        return int(bool(answer.get("Attributes")))

    def _strip_application(self, user_id: str, application_id: str, request: ErasureRequest) -> str | None:
        """The status it had, or None when it is no longer this resident's (erased by an earlier run)."""
        answer = self._owned_update(
            user_id,
            application_id,
            "SET userId = :erased, #status = :purged, erasedAt = :at, "
            "purgeAt = if_not_exists(purgeAt, :keep) REMOVE pii, piiMasked",
            {
                ":erased": erased_owner(application_id),
                ":purged": ApplicationStatus.PURGED.value,
                ":at": timestamp(request.erased_at),
                ":keep": int(request.keep_until.timestamp()),
            },
            names={"#status": "status"},
        )
        if answer is None:
            return None
        return str(answer.get("status", ""))

    def _unlink_survey(
        self, user_id: str, response_id: str, request: ErasureRequest
    ) -> dict[str, Any] | None:
        """The response before (None: no longer this resident's), its typed answers removed."""
        return self._owned_update(
            user_id,
            response_id,
            "SET userId = :erased, erasedAt = :at, purgeAt = if_not_exists(purgeAt, :keep) "
            "REMOVE freeText, freeTextLengths",
            {
                ":erased": erased_owner(response_id),
                ":at": timestamp(request.erased_at),
                ":keep": int(request.keep_until.timestamp()),
            },
        )

    def _owned_update(
        self,
        user_id: str,
        application_id: str,
        expression: str,
        values: dict[str, Any],
        names: dict[str, str] | None = None,
    ) -> dict[str, Any] | None:
        """The item's attributes before the update, or None when it is not (or no longer) the resident's."""
        request: dict[str, Any] = {
            "Key": {"applicationId": application_id},
            "UpdateExpression": expression,
            "ConditionExpression": "userId = :user",
            "ExpressionAttributeValues": {**values, ":user": user_id},
            "ReturnValues": "ALL_OLD",
        }
        if names:
            request["ExpressionAttributeNames"] = names
        try:
            return dict(self._applications.update_item(**request).get("Attributes") or {})
        except ClientError as error:
            if is_condition_failure(error):
                return None
            raise unavailable(error, "Applications.update_item(erase)") from error
        except BotoCoreError as error:
            raise unavailable(error, "Applications.update_item(erase)") from error

    @staticmethod
    def _delete(resource: Any, user_id: str, name: str) -> bool:
        try:
            answer = resource.delete_item(Key={"userId": user_id}, ReturnValues="ALL_OLD")
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, f"{name}.delete_item") from error
        return bool(answer.get("Attributes"))


def _held(item: dict[str, Any]) -> HeldApplication:
    return HeldApplication(
        application_id=str(item["applicationId"]),
        reception_number=str(item.get("receptionNumber", "")),
        form_id=str(item.get("formId", "")),
        kind=str(item.get("kind", "")),
        status=str(item.get("status", "")),
        submitted_at=datetime.fromisoformat(str(item["submittedAt"])),
        masked={str(k): str(v) for k, v in (item.get("piiMasked") or {}).items()},
    )
