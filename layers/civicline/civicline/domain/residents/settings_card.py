"""The settings card: a resident's 受信設定 and language at a glance, each item with its 変更 button."""

from __future__ import annotations

from civicline.domain.chat.postbacks import encode
from civicline.domain.chat.replies import Action, Card, CardRow
from civicline.domain.chat.wording import Phrase, say
from civicline.domain.residents.birth_year import shows_eras
from civicline.domain.residents.choice_words import choice_phrase
from civicline.domain.residents.language import ACTION as LANGUAGE_ACTION
from civicline.domain.residents.language import self_name
from civicline.domain.residents.ports import SettingItem
from civicline.domain.residents.settings_questions import (
    ACTION,
    ORDER,
    SettingsQuestions,
    action,
    year_phrase,
)
from civicline.models.city import Choice, City
from civicline.models.resident import Resident


def settings_card(city: City, resident: Resident) -> Card[Phrase]:
    settings = resident.settings
    unset = say("settings.card.unset")
    values: dict[SettingItem, Phrase] = {
        SettingItem.BIRTH_YEAR: (
            year_phrase(settings.birth_year, shows_eras(resident.language)) if settings.birth_year else unset
        ),
        SettingItem.GENDER: _label(city.genders, settings.gender) or unset,
        SettingItem.AREA: _label(city.areas, settings.area) or unset,
        SettingItem.GENRES: SettingsQuestions(city).genre_list(settings.genres, "settings.card.unset"),
    }
    rows = tuple(
        CardRow(
            label=say(f"settings.item.{item.value}"),
            value=values[item],
            action=Action(
                label=say("settings.card.change"),
                data=encode(ACTION, item=item.value),
                display_text=say("settings.card.change_display", item=say(f"settings.item.{item.value}")),
            ),
        )
        for item in ORDER
    )
    language_row = CardRow(
        label=say("language.item"),
        value=self_name(resident.language),
        action=Action(
            label=say("settings.card.change"),
            data=encode(LANGUAGE_ACTION),
            display_text=say("settings.card.change_display", item=say("language.item")),
        ),
    )
    return Card(
        alt_text=say("settings.card.alt_text"),
        title=say("settings.card.title"),
        rows=(*rows, language_row),
        buttons=(action(say("settings.card.restart"), encode(ACTION, all=1)),),
        note=say("settings.card.note"),
    )


def _label(choices: tuple[Choice, ...], choice_id: str | None) -> Phrase | None:
    return next((choice_phrase(c) for c in choices if c.id == choice_id), None)
