"""受信設定 in chat: birth year, gender, area and genres, each skippable, each changeable alone.

A small state machine. Its transitions are postbacks that carry everything they need (the item, the
value, whether the resident is going through all four questions: `w=1`), so a repeated or late tap
does no harm. The only state kept is which question was asked last, so that a typed answer (a birth
year such as 「昭和50年」) reaches it; that state lives in the shared conversation store as flow
"settings". One question is open at a time and typed text answers the one asked last: a settings
question asked while another conversation (a form in progress) is open takes the slot and keeps the
other conversation inside its own state (`paused`), which is put back when the settings are closed, so
the form can be resumed where it was.

The questions' quick replies are built in settings_questions.py, the settings card in settings_card.py.

Over 300 lines on purpose: one cohesive unit (no I/O but through its ports), the transitions of one
state machine that call one another; its questions and its card already live beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from civicline.domain.chat.conversations import (
    PAUSED,
    ConversationStore,
    StoredConversation,
    paused,
    pausing,
)
from civicline.domain.chat.dispatch import command_key
from civicline.domain.chat.inbound import Inbound
from civicline.domain.chat.replies import Action, Answer, Card, Reply, TextReply, WhenStale
from civicline.domain.chat.wording import (
    Localised,
    Message,
    Phrase,
    Verbatim,
    joined,
    lines,
    say,
    words_in_every_language,
)
from civicline.domain.residents.areas import city_area_table
from civicline.domain.residents.birth_year import InvalidBirthYear, parse_birth_year, shows_eras
from civicline.domain.residents.choice_words import choice_phrase, match_choice
from civicline.domain.residents.ports import ResidentStore, SettingItem
from civicline.domain.residents.settings_card import settings_card
from civicline.domain.residents.settings_questions import (
    ORDER,
    SKIP,
    SettingsQuestions,
    choices,
    entry_action,
)
from civicline.models.city import City
from civicline.models.language import JAPANESE_READERS, Language
from civicline.models.resident import ReceptionSettings, Resident
from civicline.ward_time import ward_time

FLOW = "settings"


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
        self._questions = SettingsQuestions(city)

    # -- entry points -------------------------------------------------------------------------------
    def entry_action(self) -> Action[Phrase]:
        """The quick reply that opens 受信設定 (greeting, help reply)."""
        return entry_action()

    def card(self, resident: Resident) -> Card[Phrase]:
        return settings_card(self._city, resident)

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
        if typed in _words("forms.command.cancel"):
            return self._cancel(inbound)
        if typed in _words("forms.command.back"):
            return self._back(inbound, item, wizard)
        if typed in _words("settings.skip.label"):
            return self._answer(inbound, item, SKIP, wizard)
        if item is SettingItem.BIRTH_YEAR:
            try:
                year = self._parse_year(inbound.text or "")
            except InvalidBirthYear as invalid:
                notice = say(
                    f"settings.invalid.{invalid.problem.value}",
                    min_year=self._city.birth_year_min,
                    current_year=self._current_year(),
                )
                return self._ask(inbound, item, wizard, notice=notice)
            return self._answer(inbound, item, str(year), wizard)
        if item is SettingItem.GENRES and typed in _words("settings.done.label"):
            return self._item_done(inbound, item, wizard, None)
        choice = match_choice(choices(self._city, item), inbound.text or "")
        if choice is not None and item is SettingItem.GENRES:
            return self._toggle_genre(inbound, choice.id, True, wizard)
        if choice is not None:
            return self._answer(inbound, item, choice.id, wizard)
        if item is SettingItem.AREA:
            return self._answer_town(inbound, wizard)
        return self._ask(inbound, item, wizard, notice=say("settings.invalid.choice"))

    def _answer_town(self, inbound: Inbound, wizard: bool) -> Answer:
        """A town or postal code typed for 地域: its area, or a choice between the areas it spans."""
        table = city_area_table()
        found = table.find(inbound.text or "") if table is not None else None
        if table is None or found is None:
            return self._ask(inbound, SettingItem.AREA, wizard, notice=say("settings.invalid.area"))
        if len(found.areas) == 1:
            return self._answer(inbound, SettingItem.AREA, found.areas[0], wizard)
        areas_by_id = {c.id: c for c in self._city.areas}
        labels = (choice_phrase(areas_by_id[a]) for a in found.areas)
        areas = joined(labels, say("settings.list.separator"))
        notice = say(
            "settings.area.spans", town=_town_phrase(found.town, table.romaji(found.town)), areas=areas
        )
        return self._ask(inbound, SettingItem.AREA, wizard, notice=notice, only=found.areas)

    def on_not_text(self, inbound: Inbound, conversation: StoredConversation) -> Answer:
        """A sticker, image or location while a settings question is open: that question again."""
        try:
            item = SettingItem(conversation.state.get("item", ""))
        except ValueError:
            return self.start(inbound)
        wizard = bool(conversation.state.get("wizard"))
        return self._ask(inbound, item, wizard, notice=say("settings.invalid.not_text"))

    # -- transitions --------------------------------------------------------------------------------
    def _cancel(self, inbound: Inbound) -> Answer:
        """やめる / キャンセル: nothing more changes; what was saved before stays (each answer is saved)."""
        self._close(inbound)
        resident = self._residents.get(self._user(inbound))
        replies: tuple[Reply[Phrase], ...] = (TextReply(say("settings.cancelled")),)
        if resident is not None and resident.settings != ReceptionSettings():
            replies += (self.card(resident),)
        return Answer(replies=replies, when_stale=WhenStale.PUSH, tags=("settings.cancelled",))

    def _back(self, inbound: Inbound, item: SettingItem, wizard: bool) -> Answer:
        """戻る: the previous question of the four; from the first one (or a single change), like やめる."""
        position = ORDER.index(item)
        if wizard and position > 0:
            return self._ask(inbound, ORDER[position - 1], wizard=True)
        return self._cancel(inbound)

    def _answer(self, inbound: Inbound, item: SettingItem, raw: str, wizard: bool) -> Answer:
        user_id, now = self._user(inbound), self._clock()
        value: int | str | None = None
        if raw != SKIP:
            value = self._valid_value(item, raw)
            if value is None:
                return self._ask(inbound, item, wizard, notice=say("settings.invalid.choice"))
        if item is SettingItem.GENRES:
            resident = self._residents.set_genres(user_id, None, now)
        else:
            resident = self._residents.set_setting(user_id, item, value, now)
        return self._item_done(inbound, item, wizard, resident)

    def _toggle_genre(self, inbound: Inbound, genre: str, selected: bool, wizard: bool) -> Answer:
        if genre not in self._city.genre_ids():
            return self._ask(inbound, SettingItem.GENRES, wizard, notice=say("settings.invalid.choice"))
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
        said = say("settings.completed" if wizard else "settings.saved")
        replies: tuple[Reply[Phrase], ...] = (TextReply(said),)
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
        notice: Message | None = None,
        resident: Resident | None = None,
        only: tuple[str, ...] | None = None,
    ) -> Answer:
        self._open(inbound, item, wizard)
        selected: frozenset[str] = frozenset()
        if item is SettingItem.GENRES:
            resident = resident or self._residents.get(self._user(inbound))
            selected = (resident.settings.genres if resident else None) or frozenset()
        prompt, quick_replies = self._questions.ask(
            item,
            wizard,
            current_year=self._current_year(),
            page=page,
            decade=decade,
            selected=selected,
            only=only,
            eras=shows_eras(inbound.language),
        )
        if wizard:
            prompt = joined((say("settings.progress", step=ORDER.index(item) + 1, total=len(ORDER)), prompt))
        if notice:
            prompt = lines(notice, prompt)
        return Answer(
            replies=(TextReply(prompt, quick_replies=quick_replies),),
            when_stale=WhenStale.PUSH,
            tags=(f"settings.{item.value}.asked",),
        )

    # -- helpers ------------------------------------------------------------------------------------
    def _open(self, inbound: Inbound, item: SettingItem, wizard: bool) -> None:
        """Remember the question so a typed answer finds it; another open flow (a form) is paused."""
        user_id = self._user(inbound)
        open_now = self._conversations.load(user_id)
        state: dict[str, Any] = {"item": item.value, "wizard": wizard}
        interrupted = pausing(open_now, FLOW)
        if interrupted is not None:
            state[PAUSED] = interrupted
        if open_now is not None and open_now.state == state:
            return  # already asked: nothing to write (a repeated tap, a genre toggle)
        self._conversations.save(user_id, FLOW, state, open_now.version if open_now else 0)

    def _close(self, inbound: Inbound) -> None:
        """Close the settings question; a paused conversation (a form) is open again as it was."""
        user_id = self._user(inbound)
        open_now = self._conversations.load(user_id)
        if open_now is None or open_now.flow != FLOW:
            return
        interrupted = paused(open_now)
        if interrupted is not None:
            self._conversations.save(user_id, interrupted.flow, interrupted.state, open_now.version)
        else:
            self._conversations.clear(user_id, open_now.version)

    def _valid_value(self, item: SettingItem, raw: str) -> int | str | None:
        if item is SettingItem.BIRTH_YEAR:
            year = _int(raw)
            ok = year is not None and self._city.birth_year_min <= year <= self._current_year()
            return year if ok else None
        return (
            raw
            if raw in {c.id for c in choices(self._city, item)} and item is not SettingItem.GENRES
            else None
        )

    def _parse_year(self, typed: str) -> int:
        return parse_birth_year(typed, min_year=self._city.birth_year_min, current_year=self._current_year())

    def _current_year(self) -> int:
        return ward_time(self._clock()).year

    @staticmethod
    def _user(inbound: Inbound) -> str:
        assert inbound.user_id is not None
        return inbound.user_id


def _words(key: str) -> frozenset[str]:
    """The words a resident may type for a command or a label, in any language we speak: the same
    ones the forms accept (forms.command.*), and a button's label typed out."""
    return words_in_every_language(key, command_key)


def _town_phrase(town: str, romaji: str) -> Phrase:
    """西新宿 for a reader of Japanese, "Nishishinjuku (西新宿)" for everyone else."""
    if not romaji:
        return Verbatim(town)
    others = {lang.value: f"{romaji} ({town})" for lang in Language if lang not in JAPANESE_READERS}
    return Localised(town, others)


def _int(raw: str | None) -> int | None:
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    return int(raw)
