"""Following and blocking the account: who the resident is to us, and the first words we say."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from civicline.domain.chat.inbound import Inbound
from civicline.domain.chat.replies import NOTHING, Action, Answer, TextReply, WhenStale
from civicline.domain.chat.wording import Phrase, Verbatim, lines, say
from civicline.domain.residents.language import self_name
from civicline.domain.residents.menus import ResidentMenu, show_language_menu
from civicline.domain.residents.ports import ProfileSource, ResidentStore
from civicline.models.language import DEFAULT_LANGUAGE, from_line_profile

# How long a blocked resident's record is kept, so a re-follow finds their settings again; after that
# the Users item expires (TTL `purgeAt`) and nothing of them stays. The deployment sets its own
# (template parameter UnfollowedRetentionDays); this is the template's default.
DEFAULT_BLOCKED_RETENTION = timedelta(days=30)


def event_time(inbound: Inbound) -> datetime:
    """When LINE says the event happened: the same on every retry, unlike the clock."""
    return datetime.fromtimestamp(inbound.context.timestamp_ms / 1000, tz=UTC)


class Lifecycle:
    def __init__(
        self,
        residents: ResidentStore,
        profiles: ProfileSource,
        privacy_notice_url: str,
        settings_entry: Action[Phrase],
        language_entry: Action[Phrase],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        blocked_retention: timedelta = DEFAULT_BLOCKED_RETENTION,
        menus: ResidentMenu | None = None,
    ) -> None:
        self._blocked_retention = blocked_retention
        self._menus = menus
        self._residents = residents
        self._profiles = profiles
        self._privacy_notice_url = privacy_notice_url
        self._settings_entry = settings_entry
        self._language_entry = language_entry
        self._clock = clock

    def follow(self, inbound: Inbound) -> Answer:
        user_id = inbound.user_id
        assert user_id is not None
        profile = self._profiles.get_profile(user_id)
        known = self._residents.get(user_id)
        # "Welcome back, your settings are kept" is only true if we still hold them: a resident whose
        # record was deleted on request or purged after blocking is greeted as new.
        returning = inbound.unblocked and known is not None
        # A resident we know keeps the language they had (perhaps chosen); a newcomer gets their LINE's.
        language = known.language if known else from_line_profile(profile.language if profile else None)
        recorded = self._residents.record_follow(
            user_id, profile, event_time(inbound), self._clock(), language
        )
        if not recorded:
            return Answer(tags=("follow.stale",))
        # The default menu is the default language's; anyone else sees their language's menu, linked.
        menu_tags = show_language_menu(self._menus, user_id, language) if language != DEFAULT_LANGUAGE else ()
        if returning:
            greeting: Phrase = say("residents.welcome_back")
        else:
            greeting = lines(
                say("residents.greeting", privacy_notice_url=self._privacy_notice_url),
                Verbatim(""),
                say("language.greeting_hint", language=self_name(language)),
            )
        quick_replies = (self._settings_entry, self._language_entry)
        return Answer(
            replies=(TextReply(greeting, quick_replies=quick_replies),),
            # A greeting is still welcome a little late; the push carries a retry key, so never twice.
            when_stale=WhenStale.PUSH,
            tags=("follow.unblocked" if returning else "follow.new", *menu_tags),
            language=language.value,
        )

    def unfollow(self, inbound: Inbound) -> Answer:
        user_id = inbound.user_id
        assert user_id is not None
        unfollowed_at = event_time(inbound)
        self._residents.record_unfollow(
            user_id, unfollowed_at, unfollowed_at + self._blocked_retention, self._clock()
        )
        return NOTHING  # a blocked account cannot be written to
