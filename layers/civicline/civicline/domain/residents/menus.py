"""Which rich menu a resident sees, and how a switch reaches every resident whatever their language.

LINE shows a resident the menu linked to them, else the account's default. The default is the default
language's menu; a resident reading another language has their language's menu linked to them, so a
switch of the default (通常 ↔ 防災) does not reach them: they are relinked, language by language, in
bulk calls of at most LINE_BULK_LINK_MAX residents (one menu per call), so the calls are the fewest LINE
allows: Σ⌈N_lang / 500⌉.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from civicline.domain.errors import LineRejected
from civicline.models.language import DEFAULT_LANGUAGE, Language

LINE_BULK_LINK_MAX = 500  # user ids per bulk link / unlink request (Messaging API reference)


class MenuLinks(Protocol):
    """LINE's per-user rich menu links (adapters/line/richmenu_links.py)."""

    def link_user(self, user_id: str, rich_menu_id: str) -> None: ...

    def unlink_user(self, user_id: str) -> None: ...

    def link_users(self, rich_menu_id: str, user_ids: Sequence[str]) -> None:
        """One bulk call: 1..LINE_BULK_LINK_MAX user ids."""
        ...

    def menu_of_alias(self, alias_id: str) -> str: ...

    def default_menu(self) -> str | None: ...


class ResidentMenu(Protocol):
    """What the chat calls when a resident's language is set (a choice, or LINE's on follow):
    services.richmenu_mode.ResidentMenus. Idempotent: a repeated event links the same menu again."""

    def link_resident(self, user_id: str, language: Language) -> None: ...


def show_language_menu(menus: ResidentMenu | None, user_id: str, language: Language) -> tuple[str, ...]:
    """Link the resident's language's menu; the tags to add to the answer.

    A menu LINE refuses (not deployed yet, e.g. a new channel or the local stack before `make richmenu`)
    must not undo the resident's choice: the language is saved and the chat answers in it; the tag makes
    the missing menu visible in metrics. An outage (LineUnavailable) is raised: the event is retried."""
    if menus is None:
        return ()
    try:
        menus.link_resident(user_id, language)
    except LineRejected:
        return ("richmenu.link_refused",)
    return ("richmenu.linked",)


class ResidentLanguages(Protocol):
    """The residents who read another language than the default: theirs are the linked menus."""

    def residents_reading_other_languages(self) -> Iterable[tuple[str, Language]]:
        """(user id, language) of each following resident whose language is not the default."""
        ...


def bulk_link_batches(
    residents: Iterable[tuple[str, Language]], limit: int = LINE_BULK_LINK_MAX
) -> Iterator[tuple[Language, list[str]]]:
    """Residents grouped per language into full batches of `limit` (the last of each language may be
    short), streamed: at most one open batch per language is held, whatever the number of residents."""
    open_batches: dict[Language, list[str]] = {}
    for user_id, language in residents:
        if language == DEFAULT_LANGUAGE:
            continue  # the default menu is theirs: no link
        batch = open_batches.setdefault(language, [])
        batch.append(user_id)
        if len(batch) == limit:
            yield language, batch
            open_batches[language] = []
    for language, batch in open_batches.items():
        if batch:
            yield language, batch


def minimum_calls(counts: dict[Language, int], limit: int = LINE_BULK_LINK_MAX) -> int:
    """The fewest bulk calls that link each language's residents to that language's menu."""
    return sum(-(-count // limit) for language, count in counts.items() if language != DEFAULT_LANGUAGE)
