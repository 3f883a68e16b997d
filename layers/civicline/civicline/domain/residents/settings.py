"""受信設定 in chat: birth year, gender, area and genres, each skippable, each changeable alone.

A small state machine. Its transitions are postbacks that carry everything they need (the item, the
value, whether the resident is going through all four questions: `w=1`), so a repeated or late tap
does no harm. The only state kept is which question was asked last, so that a typed answer (a birth
year such as 「昭和50年」) reaches it; that state lives in the shared conversation store as flow
"settings", and only when no other conversation (a form in progress) holds the resident's slot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from civicline.domain.chat.conversations import ConversationStore, StoredConversation
from civicline.domain.chat.dispatch import command_key
from civicline.domain.chat.inbound import Inbound
from civicline.domain.chat.postbacks import encode
from civicline.domain.chat.replies import (
    CARD_LABEL_MAX,
    QUICK_REPLY_MAX_ITEMS,
    Action,
    Answer,
    Card,
    CardRow,
    TextReply,
    WhenStale,
    fit,
)
from civicline.domain.residents.birth_year import InvalidBirthYear, parse_birth_year, wareki
from civicline.domain.residents.ports import ResidentStore, SettingItem
from civicline.messages import text
from civicline.models.city import Choice, City
from civicline.models.resident import ReceptionSettings, Resident
from civicline.ward_time import ward_time

FLOW = "settings"
ACTION = "settings"
SKIP = "-"  # the value of 「回答しない」
ORDER: tuple[SettingItem, ...] = tuple(SettingItem)


class SettingsFlow:
    def __init__(
        self,
        residents: ResidentStore,
        conversations: ConversationStore,
        city: City,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._residents = residents
        self._conversations = conversations
        self._city = city
        self._clock = clock

    # -- entry points -------------------------------------------------------------------------------
    def entry_action(self) -> Action:
        """The quick reply that opens 受信設定 (greeting, help reply)."""
        label = text("settings.entry.label")
        return Action(label=fit(label), data=encode(ACTION), display_text=label)

    def start(self, inbound: Inbound) -> Answer:
        """「受信設定」: the four questions for a newcomer, the current settings card for others."""
        resident = self._residents.get(self._user(inbound))
        if resident is None or resident.settings == ReceptionSettings():
            return self._ask(inbound, SettingItem.BIRTH_YEAR, wizard=True)
        self._close(inbound)
        return Answer(replies=(self.card(resident),), when_stale=WhenStale.PUSH, tags=("settings.card",))

    def on_postback(self, inbound: Inbound, params: Mapping[str, str]) -> Answer:  # noqa: PLR0911
        if params.get("all") == "1":
            return self._ask(inbound, SettingItem.BIRTH_YEAR, wizard=True)
        try:
            item = SettingItem(params.get("item", ""))
        except ValueError:
            return self.start(inbound)
        wizard = params.get("w") == "1"
        if item is SettingItem.GENRES and "g" in params:
            return self._toggle_genre(inbound, params["g"], params.get("on") == "1", wizard)
        if item is SettingItem.GENRES and params.get("done") == "1":
            return self._item_done(inbound, item, wizard, None)
        if "v" in params:
            return self._answer(inbound, item, params["v"], wizard)
        decade = _int(params.get("d"))
        if item is SettingItem.BIRTH_YEAR and decade is not None:
            return self._ask(inbound, item, wizard, decade=decade)
        return self._ask(inbound, item, wizard, page=_int(params.get("p")) or 0)

    def on_answer(self, inbound: Inbound, conversation: StoredConversation) -> Answer:  # noqa: PLR0911
        """Typed text while a settings question is open."""
        try:
            item = SettingItem(conversation.state.get("item", ""))
        except ValueError:
            return self.start(inbound)
        wizard = bool(conversation.state.get("wizard"))
        typed = command_key(inbound.text or "")
        if typed == command_key(text("settings.skip.label")):
            return self._answer(inbound, item, SKIP, wizard)
        if item is SettingItem.BIRTH_YEAR:
            try:
                year = self._parse_year(inbound.text or "")
            except InvalidBirthYear as invalid:
                notice = text(
                    f"settings.invalid.{invalid.problem.value}",
                    min_year=self._city.birth_year_min,
                    current_year=self._current_year(),
                )
                return self._ask(inbound, item, wizard, notice=notice)
            return self._answer(inbound, item, str(year), wizard)
        if item is SettingItem.GENRES and typed == command_key(text("settings.done.label")):
            return self._item_done(inbound, item, wizard, None)
        for choice in self._choices(item):
            if typed == command_key(choice.label):
                if item is SettingItem.GENRES:
                    return self._toggle_genre(inbound, choice.id, True, wizard)
                return self._answer(inbound, item, choice.id, wizard)
        return self._ask(inbound, item, wizard, notice=text("settings.invalid.choice"))

    # -- transitions --------------------------------------------------------------------------------
    def _answer(self, inbound: Inbound, item: SettingItem, raw: str, wizard: bool) -> Answer:
        user_id, now = self._user(inbound), self._clock()
        value: int | str | None = None
        if raw != SKIP:
            value = self._valid_value(item, raw)
            if value is None:
                return self._ask(inbound, item, wizard, notice=text("settings.invalid.choice"))
        if item is SettingItem.GENRES:
            resident = self._residents.set_genres(user_id, None, now)
        else:
            resident = self._residents.set_setting(user_id, item, value, now)
        return self._item_done(inbound, item, wizard, resident)

    def _toggle_genre(self, inbound: Inbound, genre: str, selected: bool, wizard: bool) -> Answer:
        if genre not in self._city.genre_ids():
            return self._ask(inbound, SettingItem.GENRES, wizard, notice=text("settings.invalid.choice"))
        resident = self._residents.set_genre(self._user(inbound), genre, selected, self._clock())
        return self._ask(inbound, SettingItem.GENRES, wizard, resident=resident)

    def _item_done(
        self, inbound: Inbound, item: SettingItem, wizard: bool, resident: Resident | None
    ) -> Answer:
        position = ORDER.index(item)
        if wizard and position + 1 < len(ORDER):
            return self._ask(inbound, ORDER[position + 1], wizard=True)
        self._close(inbound)
        resident = resident or self._residents.get(self._user(inbound))
        said = text("settings.completed" if wizard else "settings.saved")
        replies: tuple[TextReply | Card, ...] = (TextReply(said),)
        if resident is not None:
            replies += (self.card(resident),)
        return Answer(replies=replies, when_stale=WhenStale.PUSH, tags=(f"settings.{item.value}.saved",))

    def _ask(
        self,
        inbound: Inbound,
        item: SettingItem,
        wizard: bool,
        *,
        page: int = 0,
        decade: int | None = None,
        notice: str | None = None,
        resident: Resident | None = None,
    ) -> Answer:
        self._open(inbound, item, wizard)
        if item is SettingItem.BIRTH_YEAR:
            prompt, quick_replies = self._birth_year_question(wizard, page, decade)
        elif item is SettingItem.GENRES:
            resident = resident or self._residents.get(self._user(inbound))
            selected = (resident.settings.genres if resident else None) or frozenset()
            prompt, quick_replies = self._genres_question(selected, wizard, page)
        else:
            prompt = text(f"settings.prompt.{item.value}")
            quick_replies = self._paged(item, self._choice_actions(item, wizard), wizard, page)
        if wizard:
            prompt = text("settings.progress", step=ORDER.index(item) + 1, total=len(ORDER)) + prompt
        if notice:
            prompt = f"{notice}\n{prompt}"
        return Answer(
            replies=(TextReply(prompt, quick_replies=quick_replies),),
            when_stale=WhenStale.PUSH,
            tags=(f"settings.{item.value}.asked",),
        )

    # -- questions ----------------------------------------------------------------------------------
    def _birth_year_question(
        self, wizard: bool, page: int, decade: int | None
    ) -> tuple[str, tuple[Action, ...]]:
        first, last = self._city.birth_year_min, self._current_year()
        w = _flag(wizard)
        item = SettingItem.BIRTH_YEAR.value
        if decade is not None and first // 10 * 10 <= decade <= last:
            years = [y for y in range(decade, decade + 10) if first <= y <= last]
            actions = [self._year_action(year, wizard) for year in years]
            back = text("settings.back.label")
            extras = [
                Action(label=fit(back), data=encode(ACTION, item=item, w=w), display_text=back),
                self._skip_action(SettingItem.BIRTH_YEAR, wizard),
            ]
            return text("settings.prompt.birth_year.decade", decade=decade), tuple(actions + extras)
        decades = range(last // 10 * 10, first // 10 * 10 - 1, -10)
        actions = []
        for start in decades:
            label = text("settings.decade.label", decade=start)
            actions.append(
                Action(label=fit(label), data=encode(ACTION, item=item, d=start, w=w), display_text=label)
            )
        return text("settings.prompt.birth_year"), self._paged(SettingItem.BIRTH_YEAR, actions, wizard, page)

    def _genres_question(
        self, selected: frozenset[str], wizard: bool, page: int
    ) -> tuple[str, tuple[Action, ...]]:
        mark = text("settings.genre.selected_mark")
        actions = []
        for genre in self._city.genres:
            chosen = genre.id in selected
            display = text(
                "settings.genre.display_off" if chosen else "settings.genre.display_on", label=genre.label
            )
            actions.append(
                Action(
                    label=fit(f"{mark}{genre.label}" if chosen else genre.label),
                    data=encode(ACTION, item="genres", g=genre.id, on=0 if chosen else 1, w=_flag(wizard)),
                    display_text=display,
                )
            )
        labels = [g.label for g in self._city.genres if g.id in selected]
        chosen_text = text("settings.list.separator").join(labels) or text("settings.genres.none_selected")
        return text("settings.prompt.genres", selected=chosen_text), self._paged(
            SettingItem.GENRES, actions, wizard, page
        )

    def _paged(self, item: SettingItem, actions: list[Action], wizard: bool, page: int) -> tuple[Action, ...]:
        """Choices and their fixed extras (完了, 回答しない) within 13 quick replies, paged if need be."""
        extras = []
        if item is SettingItem.GENRES:
            done = text("settings.done.label")
            extras.append(
                Action(
                    label=fit(done),
                    data=encode(ACTION, item=item.value, done=1, w=_flag(wizard)),
                    display_text=done,
                )
            )
        extras.append(self._skip_action(item, wizard))
        if len(actions) + len(extras) <= QUICK_REPLY_MAX_ITEMS:
            return tuple(actions + extras)
        size = QUICK_REPLY_MAX_ITEMS - len(extras) - 1
        pages = -(-len(actions) // size)
        page = page % pages
        more = text("settings.more.label")
        following = Action(
            label=fit(more),
            data=encode(ACTION, item=item.value, p=(page + 1) % pages, w=_flag(wizard)),
            display_text=more,
        )
        return (*actions[page * size : (page + 1) * size], following, *extras)

    def _choice_actions(self, item: SettingItem, wizard: bool) -> list[Action]:
        return [
            Action(
                label=fit(choice.label),
                data=encode(ACTION, item=item.value, v=choice.id, w=_flag(wizard)),
                display_text=choice.label,
            )
            for choice in self._choices(item)
        ]

    def _year_action(self, year: int, wizard: bool) -> Action:
        era = wareki(year)
        label = (
            text("settings.year.label_wareki", year=year, wareki=era)
            if era
            else text("settings.year.label", year=year)
        )
        return Action(
            label=fit(label),
            data=encode(ACTION, item=SettingItem.BIRTH_YEAR.value, v=year, w=_flag(wizard)),
            display_text=text("settings.year.label", year=year),
        )

    def _skip_action(self, item: SettingItem, wizard: bool) -> Action:
        skip = text("settings.skip.label")
        return Action(
            label=fit(skip), data=encode(ACTION, item=item.value, v=SKIP, w=_flag(wizard)), display_text=skip
        )

    # -- the settings card --------------------------------------------------------------------------
    def card(self, resident: Resident) -> Card:
        settings = resident.settings
        unset = text("settings.card.unset")
        values = {
            SettingItem.BIRTH_YEAR: self._year_text(settings.birth_year) if settings.birth_year else unset,
            SettingItem.GENDER: self._label(self._city.genders, settings.gender) or unset,
            SettingItem.AREA: self._label(self._city.areas, settings.area) or unset,
            SettingItem.GENRES: text("settings.list.separator").join(
                g.label for g in self._city.genres if settings.genres and g.id in settings.genres
            )
            or unset,
        }
        change = text("settings.card.change")
        rows = tuple(
            CardRow(
                label=text(f"settings.item.{item.value}"),
                value=values[item],
                action=Action(
                    label=fit(change, CARD_LABEL_MAX),
                    data=encode(ACTION, item=item.value),
                    display_text=text(
                        "settings.card.change_display", item=text(f"settings.item.{item.value}")
                    ),
                ),
            )
            for item in ORDER
        )
        restart = text("settings.card.restart")
        return Card(
            alt_text=text("settings.card.alt_text"),
            title=text("settings.card.title"),
            rows=rows,
            buttons=(
                Action(label=fit(restart, CARD_LABEL_MAX), data=encode(ACTION, all=1), display_text=restart),
            ),
            note=text("settings.card.note"),
        )

    # -- helpers ------------------------------------------------------------------------------------
    def _open(self, inbound: Inbound, item: SettingItem, wizard: bool) -> None:
        """Remember the question so a typed answer finds it, unless another flow (a form) is open."""
        user_id = self._user(inbound)
        open_now = self._conversations.load(user_id)
        if open_now is not None and open_now.flow != FLOW:
            return
        state = {"item": item.value, "wizard": wizard}
        if open_now is not None and open_now.state == state:
            return  # already asked: nothing to write (a repeated tap, a genre toggle)
        self._conversations.save(user_id, FLOW, state, open_now.version if open_now else 0)

    def _close(self, inbound: Inbound) -> None:
        user_id = self._user(inbound)
        open_now = self._conversations.load(user_id)
        if open_now is not None and open_now.flow == FLOW:
            self._conversations.clear(user_id, open_now.version)

    def _choices(self, item: SettingItem) -> tuple[Choice, ...]:
        if item is SettingItem.GENDER:
            return self._city.genders
        if item is SettingItem.AREA:
            return self._city.areas
        if item is SettingItem.GENRES:
            return self._city.genres
        return ()

    def _valid_value(self, item: SettingItem, raw: str) -> int | str | None:
        if item is SettingItem.BIRTH_YEAR:
            year = _int(raw)
            ok = year is not None and self._city.birth_year_min <= year <= self._current_year()
            return year if ok else None
        return raw if raw in {c.id for c in self._choices(item)} and item is not SettingItem.GENRES else None

    def _parse_year(self, typed: str) -> int:
        return parse_birth_year(typed, min_year=self._city.birth_year_min, current_year=self._current_year())

    def _current_year(self) -> int:
        return ward_time(self._clock()).year

    @staticmethod
    def _year_text(year: int) -> str:
        era = wareki(year)
        return (
            text("settings.year.label_wareki", year=year, wareki=era)
            if era
            else text("settings.year.label", year=year)
        )

    @staticmethod
    def _label(choices: tuple[Choice, ...], choice_id: str | None) -> str | None:
        return next((c.label for c in choices if c.id == choice_id), None)

    @staticmethod
    def _user(inbound: Inbound) -> str:
        assert inbound.user_id is not None
        return inbound.user_id


def _flag(on: bool) -> int | None:
    return 1 if on else None


def _int(raw: str | None) -> int | None:
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    return int(raw)
