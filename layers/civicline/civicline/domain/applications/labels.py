"""A form's title and a kind's label as residents read them, from the form definition's catalogue keys."""

from __future__ import annotations

from datetime import date

from civicline.domain.applications.forms.definition import FormDefinitionError, load_form
from civicline.messages import text


def form_title(form_id: str) -> str:
    try:
        return text(load_form(form_id).title)
    except FormDefinitionError:  # a form since retired: its applications still show
        return text("intake.form.unknown")


def kind_label(form_id: str, kind: str) -> str:
    try:
        kinds = load_form(form_id).kinds
    except FormDefinitionError:
        return kind
    return next((text(option.label) for option in kinds if option.id == kind), kind)


def edition_text(key: str, edition: date) -> str:
    return text(key, year=edition.year, month=edition.month, day=edition.day)
