"""The questions of 受信設定 as quick replies: the choices of each item, paged within LINE's 13.

Every choice is a postback carrying what it leads to (`action=settings&item=…&v=…`, `w=1` while the
resident goes through all four questions), so the flow (settings.py) keeps no state of its own.
"""

from __future__ import annotations

from civicline.domain.chat.postbacks import encode
from civicline.domain.chat.replies import QUICK_REPLY_MAX_ITEMS, Action
from civicline.domain.chat.wording import Phrase, joined, say
from civicline.domain.residents.birth_year import wareki
from civicline.domain.residents.choice_words import choice_phrase
from civicline.domain.residents.ports import SettingItem
from civicline.models.city import Choice, City

ACTION = "settings"
SKIP = "-"  # the value of 「回答しない」
ORDER: tuple[SettingItem, ...] = tuple(SettingItem)


def action(label: Phrase, data: str) -> Action[Phrase]:
    """A tap that shows its own label as the resident's line."""
    return Action(label=label, data=data, display_text=label)


def entry_action() -> Action[Phrase]:
    """The quick reply that opens 受信設定 (greeting, help reply)."""
    return action(say("settings.entry.label"), encode(ACTION))


def year_phrase(year: int, eras: bool = True) -> Phrase:
    """1985年（昭和60年） for a reader of Japanese (`eras`), the year alone for everyone else."""
    era = wareki(year) if eras else None
    return (
        say("settings.year.label_wareki", year=year, wareki=era)
        if era
        else say("settings.year.label", year=year)
    )


def choices(city: City, item: SettingItem) -> tuple[Choice, ...]:
    if item is SettingItem.GENDER:
        return city.genders
    if item is SettingItem.AREA:
        return city.areas
    if item is SettingItem.GENRES:
        return city.genres
    return ()


class SettingsQuestions:
    def __init__(self, city: City) -> None:
        self._city = city

    def ask(
        self,
        item: SettingItem,
        wizard: bool,
        *,
        current_year: int,
        page: int = 0,
        decade: int | None = None,
        selected: frozenset[str] = frozenset(),
        only: tuple[str, ...] | None = None,
        eras: bool = True,
    ) -> tuple[Phrase, tuple[Action[Phrase], ...]]:
        """The prompt and quick replies of one question; `only` narrows a choice item to those ids;
        `eras`: years labelled with their 和暦 too (for readers of Japanese)."""
        if item is SettingItem.BIRTH_YEAR:
            return self._birth_year(wizard, page, decade, current_year, eras)
        if item is SettingItem.GENRES:
            return self._genres(selected, wizard, page)
        choice_actions = [
            action(choice_phrase(choice), encode(ACTION, item=item.value, v=choice.id, w=_flag(wizard)))
            for choice in choices(self._city, item)
            if only is None or choice.id in only
        ]
        return say(f"settings.prompt.{item.value}"), self._paged(item, choice_actions, wizard, page)

    def _birth_year(
        self, wizard: bool, page: int, decade: int | None, last: int, eras: bool
    ) -> tuple[Phrase, tuple[Action[Phrase], ...]]:
        first = self._city.birth_year_min
        w = _flag(wizard)
        item = SettingItem.BIRTH_YEAR.value
        if decade is not None and first // 10 * 10 <= decade <= last:
            years = [
                Action(
                    label=year_phrase(year, eras),
                    data=encode(ACTION, item=item, v=year, w=w),
                    display_text=say("settings.year.label", year=year),
                )
                for year in range(decade, decade + 10)
                if first <= year <= last
            ]
            extras = [
                action(say("settings.back.label"), encode(ACTION, item=item, w=w)),
                self._skip_action(SettingItem.BIRTH_YEAR, wizard),
            ]
            return say("settings.prompt.birth_year.decade", decade=decade), tuple(years + extras)
        decades = [
            action(say("settings.decade.label", decade=start), encode(ACTION, item=item, d=start, w=w))
            for start in range(last // 10 * 10, first // 10 * 10 - 1, -10)
        ]
        return say("settings.prompt.birth_year"), self._paged(SettingItem.BIRTH_YEAR, decades, wizard, page)

    def _genres(
        self, selected: frozenset[str], wizard: bool, page: int
    ) -> tuple[Phrase, tuple[Action[Phrase], ...]]:
        genre_actions = []
        for genre in self._city.genres:
            chosen = genre.id in selected
            label = choice_phrase(genre)
            genre_actions.append(
                Action(
                    label=joined((say("settings.genre.selected_mark"), label)) if chosen else label,
                    data=encode(ACTION, item="genres", g=genre.id, on=0 if chosen else 1, w=_flag(wizard)),
                    display_text=say(
                        "settings.genre.display_off" if chosen else "settings.genre.display_on",
                        label=label,
                    ),
                )
            )
        return say(
            "settings.prompt.genres", selected=self.genre_list(selected, "settings.genres.none_selected")
        ), (self._paged(SettingItem.GENRES, genre_actions, wizard, page))

    def genre_list(self, selected: frozenset[str] | None, none_key: str) -> Phrase:
        """The selected genres in the city's order, or the `none_key` phrase."""
        labels = [choice_phrase(g) for g in self._city.genres if selected and g.id in selected]
        return joined(labels, say("settings.list.separator")) if labels else say(none_key)

    def _paged(
        self, item: SettingItem, actions: list[Action[Phrase]], wizard: bool, page: int
    ) -> tuple[Action[Phrase], ...]:
        """Choices and their fixed extras (完了, 回答しない) within 13 quick replies, paged if need be."""
        extras = []
        if item is SettingItem.GENRES:
            extras.append(
                action(say("settings.done.label"), encode(ACTION, item=item.value, done=1, w=_flag(wizard)))
            )
        extras.append(self._skip_action(item, wizard))
        if len(actions) + len(extras) <= QUICK_REPLY_MAX_ITEMS:
            return tuple(actions + extras)
        size = QUICK_REPLY_MAX_ITEMS - len(extras) - 1
        pages = -(-len(actions) // size)
        page = page % pages
        # On the last page the same button leads back to the first: it says so rather than 「もっと見る」.
        label = "settings.more.label" if page + 1 < pages else "settings.more.first_label"
        following = action(say(label), encode(ACTION, item=item.value, p=(page + 1) % pages, w=_flag(wizard)))
        return (*actions[page * size : (page + 1) * size], following, *extras)

    @staticmethod
    def _skip_action(item: SettingItem, wizard: bool) -> Action[Phrase]:
        return action(say("settings.skip.label"), encode(ACTION, item=item.value, v=SKIP, w=_flag(wizard)))


def _flag(on: bool) -> int | None:
    return 1 if on else None
