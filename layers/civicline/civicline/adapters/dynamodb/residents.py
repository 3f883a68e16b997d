"""The Users table: one item per resident (key `userId`), written only by single UpdateItem calls.

Each change is one conditional UpdateItem, so an item is never half-written and a retried event sets
the same values again. Attributes (the broadcast planner reads the same names):

    userId, status ("active" | "blocked"), displayName, pictureUrl, language, followedAt, unfollowedAt,
    lifecycleAt (epoch ms of the last follow/unfollow applied), birthYear (N), gender, area,
    genres (SS), updatedAt, purgeAt (TTL, epoch s; set while blocked, removed on re-follow)
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.dynamodb import is_condition_failure, unavailable
from civicline.domain.residents.ports import Profile, SettingItem
from civicline.models.language import DEFAULT_LANGUAGE, Language
from civicline.models.resident import FollowStatus, ReceptionSettings, Resident

_SETTING_ATTRIBUTES = {
    SettingItem.BIRTH_YEAR: "birthYear",
    SettingItem.GENDER: "gender",
    SettingItem.AREA: "area",
}
# An older follow/unfollow (a redelivery arriving late) must not undo a newer one.
_NOT_OLDER = "(attribute_not_exists(lifecycleAt) OR lifecycleAt <= :at)"


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class DynamoResidents:
    """ResidentStore over the Users table (`table`: its boto3 Table resource)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, user_id: str) -> Resident | None:
        try:
            item = self._table.get_item(Key={"userId": user_id}, ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Users.get_item") from error
        return _resident(item) if item else None

    def language_of(self, user_id: str) -> Language:
        """The language to answer in, read alone (Japanese for someone we hold nothing about)."""
        try:
            item = self._table.get_item(
                Key={"userId": user_id},
                ProjectionExpression="#language",
                ExpressionAttributeNames={"#language": "language"},
                ConsistentRead=True,
            ).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise unavailable(error, "Users.get_item(language)") from error
        return _language(item.get("language")) if item else DEFAULT_LANGUAGE

    def record_follow(
        self,
        user_id: str,
        profile: Profile | None,
        followed_at: datetime,
        now: datetime,
        language: Language = DEFAULT_LANGUAGE,
    ) -> bool:
        sets = [
            "#status = :active",
            "followedAt = :followed",
            "lifecycleAt = :at",
            "updatedAt = :now",
            "#language = if_not_exists(#language, :language)",
        ]
        removes = ["unfollowedAt", "purgeAt"]
        values: dict[str, Any] = {
            ":active": FollowStatus.ACTIVE.value,
            ":followed": _iso(followed_at),
            ":at": int(followed_at.timestamp() * 1000),
            ":now": _iso(now),
            ":language": language.value,
        }
        for attribute, value in (
            ("displayName", profile.display_name[:100] if profile and profile.display_name else None),
            # An icon URL too long for the model is of no use cut short: keep none.
            (
                "pictureUrl",
                profile.picture_url if profile and 0 < len(profile.picture_url or "") <= 1000 else None,
            ),
        ):
            if value is None:
                removes.append(attribute)
            else:
                sets.append(f"{attribute} = :{attribute}")
                values[f":{attribute}"] = value
        return (
            self._update(
                user_id,
                f"SET {', '.join(sets)} REMOVE {', '.join(removes)}",
                values,
                condition=f"attribute_not_exists(userId) OR {_NOT_OLDER}",
                names={"#status": "status", "#language": "language"},
            )
            is not None
        )

    def record_unfollow(
        self, user_id: str, unfollowed_at: datetime, purge_at: datetime, now: datetime
    ) -> bool:
        return (
            self._update(
                user_id,
                "SET #status = :blocked, unfollowedAt = :unfollowed, lifecycleAt = :at, updatedAt = :now, "
                "purgeAt = :purge",
                {
                    ":blocked": FollowStatus.BLOCKED.value,
                    ":unfollowed": _iso(unfollowed_at),
                    ":at": int(unfollowed_at.timestamp() * 1000),
                    ":now": _iso(now),
                    ":purge": int(purge_at.timestamp()),
                },
                condition=f"attribute_exists(userId) AND {_NOT_OLDER}",
                names={"#status": "status"},
            )
            is not None
        )

    def set_setting(
        self, user_id: str, item: SettingItem, value: int | str | None, now: datetime
    ) -> Resident:
        attribute = _SETTING_ATTRIBUTES[item]
        if value is None:
            return self._set_settings(user_id, now, remove=attribute)
        return self._set_settings(user_id, now, set_=f"{attribute} = :value", values={":value": value})

    def set_genres(self, user_id: str, genres: frozenset[str] | None, now: datetime) -> Resident:
        if not genres:
            return self._set_settings(user_id, now, remove="genres")
        return self._set_settings(user_id, now, set_="genres = :value", values={":value": set(genres)})

    def set_genre(self, user_id: str, genre: str, selected: bool, now: datetime) -> Resident:
        # ADD and DELETE on a string set are idempotent by nature; a set left empty disappears.
        operation = "ADD" if selected else "DELETE"
        return self._set_settings(
            user_id, now, extra=f"{operation} genres :genre", values={":genre": {genre}}
        )

    def set_language(self, user_id: str, language: Language, now: datetime) -> Resident:
        return self._set_settings(user_id, now, language=language)

    def _set_settings(
        self,
        user_id: str,
        now: datetime,
        *,
        set_: str | None = None,
        remove: str | None = None,
        extra: str | None = None,
        values: dict[str, Any] | None = None,
        language: Language | None = None,
    ) -> Resident:
        # A follower from before this system has no item yet: their first answer creates it, active.
        sets = [
            "updatedAt = :now",
            "#status = if_not_exists(#status, :active)",
            "followedAt = if_not_exists(followedAt, :now)",
            "#language = :language" if language else "#language = if_not_exists(#language, :language)",
        ]
        if set_:
            sets.append(set_)
        expression = f"SET {', '.join(sets)}"
        if remove:
            expression += f" REMOVE {remove}"
        if extra:
            expression += f" {extra}"
        item = self._update(
            user_id,
            expression,
            {
                ":now": _iso(now),
                ":active": FollowStatus.ACTIVE.value,
                ":language": (language or DEFAULT_LANGUAGE).value,
                **(values or {}),
            },
            condition=None,
            names={"#status": "status", "#language": "language"},
        )
        assert item is not None
        return _resident(item)

    def _update(
        self,
        user_id: str,
        expression: str,
        values: dict[str, Any],
        *,
        condition: str | None,
        names: dict[str, str],
    ) -> dict[str, Any] | None:
        """The item as written, or None when the condition did not hold."""
        request: dict[str, Any] = {
            "Key": {"userId": user_id},
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
            "ExpressionAttributeNames": names,
            "ReturnValues": "ALL_NEW",
        }
        if condition:
            request["ConditionExpression"] = condition
        try:
            return dict(self._table.update_item(**request)["Attributes"])
        except ClientError as error:
            if is_condition_failure(error):
                return None
            raise unavailable(error, "Users.update_item") from error
        except BotoCoreError as error:
            raise unavailable(error, "Users.update_item") from error


def _language(stored: Any) -> Language:
    """The stored language; absent (older items) or one no longer offered reads as Japanese."""
    try:
        return Language(stored)
    except ValueError:
        return DEFAULT_LANGUAGE


def _resident(item: dict[str, Any]) -> Resident:
    genres = item.get("genres")
    birth_year = item.get("birthYear")
    return Resident(
        user_id=item["userId"],
        status=FollowStatus(item.get("status", FollowStatus.ACTIVE.value)),
        display_name=item.get("displayName"),
        picture_url=item.get("pictureUrl"),
        language=_language(item.get("language")),
        followed_at=item["followedAt"],
        unfollowed_at=item.get("unfollowedAt"),
        settings=ReceptionSettings(
            birth_year=int(birth_year) if isinstance(birth_year, Decimal | int) else None,
            gender=item.get("gender"),
            area=item.get("area"),
            genres=frozenset(genres) if genres else None,
        ),
        updated_at=item["updatedAt"],
    )
