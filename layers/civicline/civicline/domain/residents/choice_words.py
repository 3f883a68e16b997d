"""Typed answers to a choice question: the label (in any language), or a natural word city.yaml gives it;
and a choice's label as a phrase, put in the resident's language when the answer is resolved.

「女」 answers 性別 with 女性 and 「健康」 answers 関心のある分野 with 健康・福祉. The words are data
(city.yaml `words`), checked there to name one choice each, so a word never silently picks the wrong one.
"""

from __future__ import annotations

from civicline.domain.chat.dispatch import command_key
from civicline.domain.chat.wording import Localised, Phrase
from civicline.models.city import Choice


def match_choice(choices: tuple[Choice, ...], typed: str) -> Choice | None:
    """The choice whose label (in any of our languages) or word `typed` is (width, spaces and case
    ignored), or None."""
    key = command_key(typed)
    if not key:
        return None
    for choice in choices:
        said = {choice.label, *choice.words, *choice.labels.values()}
        if key in {command_key(w) for w in said}:
            return choice
    return None


def choice_phrase(choice: Choice) -> Phrase:
    """A choice's label as the resident's language has it (city.yaml `labels`), else the Japanese."""
    return Localised(choice.label, {str(lang): label for lang, label in choice.labels.items()})
