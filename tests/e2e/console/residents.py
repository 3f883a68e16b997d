"""Fictional residents for the console's browser tests, and every personal detail they were given.

`PII` collects each name, address and phone a test fed in, so the PII test can look for them in every
page's text and every log.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from devstack.resident import Resident, StackUrls

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

PII: list[str] = []
_serial = itertools.count(1)


@dataclass(frozen=True)
class Settings:
    """A resident's 受信設定 as the conversation worker stores it (ids of civicline/city.yaml)."""

    birth_year: int | None = None
    gender: str | None = None
    area: str | None = None
    genres: tuple[str, ...] = ()
    blocked: bool = False
    language: str = "ja"  # a code of civicline.models.language.Language


def new_user_id(tag: int) -> str:
    """A fresh LINE user id, distinct per test module (`tag`) and per resident."""
    return f"U{tag:04x}{next(_serial):028x}"


def seed(stack: LocalStackProcess, residents: dict[str, Settings]) -> None:
    """Writes residents into the Users table as the worker leaves them after 受信設定."""
    dynamodb = stack.boto3_client("dynamodb")
    table = users_table(stack)
    for user_id, settings in residents.items():
        item: dict[str, Any] = {
            "userId": {"S": user_id},
            "status": {"S": "blocked" if settings.blocked else "active"},
            "language": {"S": settings.language},
            "followedAt": {"S": "2026-04-01T00:00:00+00:00"},
            "updatedAt": {"S": "2026-04-01T00:00:00+00:00"},
        }
        if settings.birth_year is not None:
            item["birthYear"] = {"N": str(settings.birth_year)}
        if settings.gender is not None:
            item["gender"] = {"S": settings.gender}
        if settings.area is not None:
            item["area"] = {"S": settings.area}
        if settings.genres:
            item["genres"] = {"SS": list(settings.genres)}
        dynamodb.put_item(TableName=table, Item=item)


def users_table(stack: LocalStackProcess) -> str:
    return table_named(stack, "UsersTable")


def table_named(stack: LocalStackProcess, logical_id: str) -> str:
    names = stack.boto3_client("dynamodb").list_tables()["TableNames"]
    return next(name for name in names if name.endswith(logical_id))


def all_residents(stack: LocalStackProcess) -> list[dict[str, Any]]:
    dynamodb = stack.boto3_client("dynamodb")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": users_table(stack)}
    while True:
        page = dynamodb.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def urls_of(stack: LocalStackProcess) -> StackUrls:
    return StackUrls(stack.api_url, stack.line_url, stack.invoke_url, stack.channel_secret)


def apply_for_delivery(
    stack: LocalStackProcess, name: str, kana: str, *, postal: str, rest: str, phone: str
) -> str:
    """A resident applies for 広報新宿 個別配達 in chat (fictional answers, remembered in PII)."""
    for value in (name, kana, rest, phone):
        PII.extend({value, unicodedata.normalize("NFKC", value)})
    digits = re.sub(r"\D", "", phone)
    PII.extend([digits, "+81" + digits[1:]])
    resident = Resident(urls_of(stack), new_user_id(0xE0), f"{name}（架空）")
    resident.join()
    resident.follow()
    resident.postback("action=apply_menu")
    resident.tap("個別配達の新規申込")
    for answer in (name, kana, postal):
        resident.say(answer)
    resident.tap("はい")
    resident.say(rest)
    resident.say(phone)
    resident.tap("送信する")
    return resident.user_id
