"""A follower's LINE profile (display name and icon), fetched once when they follow."""

from __future__ import annotations

from collections.abc import Callable

from linebot.v3.messaging import MessagingApi
from linebot.v3.messaging.exceptions import ApiException, NotFoundException

from civicline.adapters.line.client import LINE_TIMEOUT
from civicline.adapters.line.errors import TRANSPORT_ERRORS, line_failure
from civicline.domain.errors import LineUnavailable
from civicline.domain.residents.ports import Profile


class LineProfiles:
    def __init__(self, api: Callable[[], MessagingApi]) -> None:
        self._api = api

    def get_profile(self, user_id: str) -> Profile | None:
        try:
            profile = self._api().get_profile(user_id, _request_timeout=LINE_TIMEOUT)
        except NotFoundException:
            return None  # not a friend any more, or no such user: nothing to record
        except ApiException as error:
            raise line_failure(error, "get_profile") from None
        except TRANSPORT_ERRORS as error:
            raise LineUnavailable(f"get_profile: {type(error).__name__}") from None
        return Profile(
            display_name=profile.display_name, picture_url=profile.picture_url, language=profile.language
        )
