"""The residents who read another language than the default, streamed out of the Users table for a
rich menu switch (domain.residents.menus.ResidentLanguages).

A Scan, as the broadcast audience (adapters/dynamodb/audience.py: why not an index), projecting the
user id and language only, filtered on DynamoDB's side to following residents whose language is set
and not the default, so a 1M-resident table returns only the few who need a linked menu.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import unavailable
from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.models.resident import FollowStatus

_KNOWN = {language.value: language for language in Language}


class DynamoResidentLanguages:
    """Through a plain client (adapters.dynamodb.wire_client): items are read in the wire format."""

    def __init__(self, client: Any, table_name: str, page_limit: int | None = None) -> None:
        self._client = client
        self._table_name = table_name
        self._page_limit = page_limit

    def residents_reading_other_languages(self) -> Iterator[tuple[str, Language]]:
        request: dict[str, Any] = {
            "TableName": self._table_name,
            "ProjectionExpression": "#userId, #language",
            "FilterExpression": "#status = :active AND attribute_exists(#language) AND #language <> :default",
            "ExpressionAttributeNames": {"#userId": "userId", "#status": "status", "#language": "language"},
            "ExpressionAttributeValues": {
                ":active": {"S": FollowStatus.ACTIVE.value},
                ":default": {"S": DEFAULT_LANGUAGE.value},
            },
        }
        if self._page_limit:
            request["Limit"] = self._page_limit
        while True:
            try:
                page = self._client.scan(**request)
            except (ClientError, BotoCoreError) as error:
                raise unavailable(error, "Users.scan(language)") from error
            for item in page.get("Items", ()):
                language = _KNOWN.get(item.get("language", {}).get("S", ""))
                if language is not None:  # a code no catalogue has any more reads the default menu
                    yield item["userId"]["S"], language
            start_key = page.get("LastEvaluatedKey")
            if start_key is None:
                return
            request["ExclusiveStartKey"] = start_key
