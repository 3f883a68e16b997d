"""Per-user rich menu links through line-bot-sdk: one resident (on a language change), or up to 500 a
call (a switch relinking everyone who reads another language). Implements domain.residents.menus.MenuLinks.

Failures become domain errors (adapters/line/errors.py): LineUnavailable for 429/5xx/timeouts, which a
caller may retry; LineRejected otherwise. Nothing here logs user ids or retries by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from linebot.v3.messaging import MessagingApi, RichMenuBulkLinkRequest, RichMenuBulkUnlinkRequest
from linebot.v3.messaging.exceptions import ApiException, NotFoundException

from civicline.adapters.line.client import LINE_TIMEOUT
from civicline.adapters.line.errors import TRANSPORT_ERRORS, line_failure
from civicline.domain.errors import LineRejected, LineUnavailable
from civicline.domain.residents.menus import LINE_BULK_LINK_MAX

ResultT = TypeVar("ResultT")


class LineRichMenuLinks:
    def __init__(self, api: Callable[[], MessagingApi]) -> None:
        self._api = api

    def link_user(self, user_id: str, rich_menu_id: str) -> None:
        self._call(
            "link_rich_menu_id_to_user",
            lambda api: api.link_rich_menu_id_to_user(user_id, rich_menu_id, _request_timeout=LINE_TIMEOUT),
        )

    def unlink_user(self, user_id: str) -> None:
        try:
            self._call(
                "unlink_rich_menu_id_from_user",
                lambda api: api.unlink_rich_menu_id_from_user(user_id, _request_timeout=LINE_TIMEOUT),
            )
        except _NotLinked:
            return  # nothing linked: the default already shows

    def link_users(self, rich_menu_id: str, user_ids: Sequence[str]) -> None:
        _check_batch(user_ids)
        # Built without the SDK's per-id validation (~2 ms for 500 ids, as long as LINE's answer): the ids
        # come from our records, the count is checked above, and LINE refuses a malformed one anyway.
        request = RichMenuBulkLinkRequest.construct(rich_menu_id=rich_menu_id, user_ids=list(user_ids))
        self._call(
            "link_rich_menu_id_to_users",
            lambda api: api.link_rich_menu_id_to_users(request, _request_timeout=LINE_TIMEOUT),
        )

    def unlink_users(self, user_ids: Sequence[str]) -> None:
        _check_batch(user_ids)
        request = RichMenuBulkUnlinkRequest(user_ids=list(user_ids))
        self._call(
            "unlink_rich_menu_id_from_users",
            lambda api: api.unlink_rich_menu_id_from_users(request, _request_timeout=LINE_TIMEOUT),
        )

    def menu_of_alias(self, alias_id: str) -> str:
        try:
            response = self._call(
                "get_rich_menu_alias",
                lambda api: api.get_rich_menu_alias(alias_id, _request_timeout=LINE_TIMEOUT),
            )
        except _NotLinked:
            raise LineRejected(f"get_rich_menu_alias: no alias {alias_id}; deploy the menus") from None
        return str(response.rich_menu_id)

    def default_menu(self) -> str | None:
        try:
            response = self._call(
                "get_default_rich_menu_id",
                lambda api: api.get_default_rich_menu_id(_request_timeout=LINE_TIMEOUT),
            )
        except _NotLinked:
            return None
        return str(response.rich_menu_id)

    def _call(self, operation: str, call: Callable[[MessagingApi], ResultT]) -> ResultT:
        try:
            return call(self._api())
        except NotFoundException:
            raise _NotLinked(operation) from None
        except ApiException as error:
            raise line_failure(error, operation) from None
        except TRANSPORT_ERRORS as error:
            raise LineUnavailable(f"{operation}: {type(error).__name__}") from None


class _NotLinked(LookupError):
    """LINE answered 404: no such menu, alias, default or link."""


def _check_batch(user_ids: Sequence[str]) -> None:
    if not 1 <= len(user_ids) <= LINE_BULK_LINK_MAX:
        raise ValueError(f"a bulk call takes 1..{LINE_BULK_LINK_MAX} user ids, not {len(user_ids)}")
