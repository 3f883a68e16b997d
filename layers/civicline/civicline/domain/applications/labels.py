"""A form's title and a kind's label as residents read them, from the form definition's catalogue keys."""

from __future__ import annotations

from datetime import date

from civicline.domain.applications.forms.definition import FormDefinitionError, load_form
from civicline.domain.chat.wording import Phrase, Verbatim, resolve, say
from civicline.messages import DEFAULT_LANGUAGE, text


def form_title_phrase(form_id: str) -> Phrase:
    try:
        return say(load_form(form_id).title)
    except FormDefinitionError:  # a form since retired: its applications still show
        return say("intake.form.unknown")


def kind_phrase(form_id: str, kind: str) -> Phrase:
    try:
        kinds = load_form(form_id).kinds
    except FormDefinitionError:
        return Verbatim(kind)
    return next((say(option.label) for option in kinds if option.id == kind), Verbatim(kind))


def form_title(form_id: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The title in `lang`: Japanese for staff, the applicant's for intake's notice."""
    return resolve(form_title_phrase(form_id), lang)


def kind_label(form_id: str, kind: str, lang: str = DEFAULT_LANGUAGE) -> str:
    return resolve(kind_phrase(form_id, kind), lang)


def edition_text(key: str, edition: date, lang: str = DEFAULT_LANGUAGE) -> str:
    return text(key, lang, year=edition.year, month=edition.month, day=edition.day)
