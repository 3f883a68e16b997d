"""Typed answers to a choice question: the label, or one of the natural words city.yaml gives it.

「女」 answers 性別 with 女性 and 「健康」 answers 関心のある分野 with 健康・福祉. The words are data
(city.yaml `words`), checked there to name one choice each, so a word never silently picks the wrong one.
"""

from __future__ import annotations

from civicline.domain.chat.dispatch import command_key
from civicline.models.city import Choice


def match_choice(choices: tuple[Choice, ...], typed: str) -> Choice | None:
    """The choice whose label or word `typed` is (width and spaces ignored), or None."""
    key = command_key(typed)
    if not key:
        return None
    for choice in choices:
        if key == command_key(choice.label) or key in {command_key(w) for w in choice.words}:
            return choice
    return None
