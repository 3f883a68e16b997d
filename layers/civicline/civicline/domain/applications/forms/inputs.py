"""Per input type: read an answer (typed text or a tapped choice), and show it on the confirmation card."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from civicline.domain.applications.forms.address import KnownPrefix, strip_repeated_prefix
from civicline.domain.applications.forms.phone import normalise_phone
from civicline.domain.applications.forms.postal import city_postal_table
from civicline.domain.applications.forms.reply import Message
from civicline.domain.applications.forms.text_inputs import (
    InvalidInput,
    normalise_address_detail,
    normalise_free_text,
    normalise_kana,
    normalise_name,
)
from civicline.domain.chat.dispatch import command_key
from civicline.domain.chat.wording import words_in_every_language
from civicline.models.forms import AnswerValue, InputType, Step

# The parts of a structured answer another step can name as `step_id.part`.
ANSWER_PARTS: dict[InputType, frozenset[str]] = {
    InputType.POSTAL_CODE: frozenset({"code", "town", "area", "romaji"}),
    InputType.PHONE: frozenset({"e164", "display"}),
}
YES = "yes"
NO = "no"

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


@dataclass(frozen=True)
class Given:
    """What the resident sent for the current step: typed text, or a tapped value, or a picked date."""

    text: str | None = None
    value: str | None = None
    date: str | None = None


def plain(text: str) -> str:
    """Text as compared against labels and command words (width, spaces and case ignored): as the
    dispatcher compares a typed command, so a word means the same in a form and out of one."""
    return command_key(text)


def words(key: str) -> frozenset[str]:
    """Command words from the catalogues (lists), compared as `plain` text: a resident may type them in
    any language we speak, whichever one they chose."""
    return words_in_every_language(key, plain)


def is_label(key: str, typed: str) -> bool:
    """Whether `typed` (as `plain` text) is the label `key` in one of our languages."""
    return typed in words(key)


def _choice(step: Step, given: Given) -> str:
    if given.value is not None:
        if any(c.id == given.value for c in step.choices):
            return given.value
        raise InvalidInput("forms.error.choose")
    typed = plain(given.text or "")
    for choice in step.choices:
        if is_label(choice.label, typed):
            return choice.id
    raise InvalidInput("forms.error.choose")


def _yes_no(given: Given) -> bool:
    if given.value in (YES, NO):
        return given.value == YES
    typed = plain(given.text or "")
    if typed in words("forms.command.yes"):
        return True
    if typed in words("forms.command.no"):
        return False
    raise InvalidInput("forms.error.yes_no")


def _number(step: Step, text: str) -> int:
    digits = plain(text).replace(",", "")
    if not re.fullmatch(r"-?\d{1,9}", digits):
        raise InvalidInput("forms.error.number")
    number = int(digits)
    low = step.min_value if step.min_value is not None else -(10**9)
    high = step.max_value if step.max_value is not None else 10**9
    if not low <= number <= high:
        raise InvalidInput("forms.error.number_range", min=low, max=high)
    return number


def _date(given: Given) -> str:
    text = given.date if given.date is not None else plain(given.text or "")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(part) for part in match.groups())).isoformat()
            except ValueError:
                break
    raise InvalidInput("forms.error.date")


Resolve = Callable[[str], str]


def _address(step: Step, text: str, resolve: Resolve) -> str:
    detail = normalise_address_detail(text, step.max_length or 80)
    if not step.prefix:
        return detail
    area = resolve(step.prefix)
    table = city_postal_table()
    known = KnownPrefix.of(area, table.prefecture, table.city, table.towns.values())
    detail = strip_repeated_prefix(detail, known)
    if not detail:
        # Only the prefix again: the street number is what the delivery still needs.
        raise InvalidInput("forms.error.address_number", area=area)
    return area + detail


# Typed answers: step, text, and a reader of earlier answers → the normalised answer.
_TYPED: dict[InputType, Callable[[Step, str, Resolve], AnswerValue]] = {
    InputType.NAME: lambda step, text, _: normalise_name(text, step.max_length or 50),
    InputType.KANA: lambda step, text, _: normalise_kana(text, step.max_length or 50),
    InputType.POSTAL_CODE: lambda _step, text, _: city_postal_table().lookup(text).as_answer(),
    InputType.ADDRESS: _address,
    InputType.PHONE: lambda step, text, _: normalise_phone(
        text, accept_service_numbers=step.accept_service_numbers
    ).as_answer(),
    InputType.NUMBER: lambda step, text, _: _number(step, text),
    InputType.TEXT: lambda step, text, _: normalise_free_text(text, step.max_length or 200),
}


def read_answer(step: Step, given: Given, resolve: Resolve) -> AnswerValue:
    """The normalised answer of `step`, or InvalidInput. `resolve("step.part")` reads earlier answers."""
    if step.input is InputType.CHOICE:
        return _choice(step, given)
    if step.input is InputType.CONFIRM:
        return _yes_no(given)
    if step.input is InputType.DATE:
        return _date(given)
    if given.text is None:
        # A tapped button that is not an answer to a question asking for typing.
        raise InvalidInput("forms.error.type_text")
    return _TYPED[step.input](step, given.text, resolve)


def part(value: AnswerValue, name: str | None) -> str:
    """One named part of a structured answer, or the answer itself as text."""
    if isinstance(value, Mapping):
        if name is None:
            raise KeyError("a structured answer needs a part name")
        # A part added after the answer was stored (romaji) reads empty in a conversation open since.
        return str(value.get(name, ""))
    return "" if value is None else str(value)


def stored_value(step: Step, value: AnswerValue) -> str | int | bool | None:
    """The flat value kept in an Application or SurveyResponse."""
    if step.input is InputType.POSTAL_CODE:
        return part(value, "code")
    if step.input is InputType.PHONE:
        return part(value, "e164")
    if isinstance(value, Mapping):
        raise TypeError(f"step {step.id}: unexpected structured answer")
    return value


def shown_value(step: Step, value: AnswerValue) -> Message:
    """The answer as the confirmation card shows it."""
    if value is None:
        return Message("forms.value.none")
    match step.input:
        case InputType.CHOICE:
            return Message(next(c.label for c in step.choices if c.id == value))
        case InputType.CONFIRM:
            return Message("forms.value.yes" if value else "forms.value.no")
        case InputType.POSTAL_CODE:
            return Message("forms.value.postal_code", {"code": part(value, "code")})
        case InputType.DATE:
            day = date.fromisoformat(str(value))
            return Message("forms.value.date", {"year": day.year, "month": day.month, "day": day.day})
        case _:
            shown = part(value, "display") if step.input is InputType.PHONE else str(value)
            return Message("forms.value.raw", {"value": shown})
