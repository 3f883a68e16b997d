"""The 電子申請 menu: which forms (and kinds) a resident can start from the chat, as data.

Each entry is one quick reply posting `action=apply&form=<id>&kind=<kind>`; the engine then skips its
own question about the kind. Adding a form to the chat is adding an entry (and its label's wording).
"""

from __future__ import annotations

from dataclasses import dataclass

from civicline.domain.chat.postbacks import encode
from civicline.domain.chat.replies import Action
from civicline.domain.chat.wording import Phrase, say

ACTION_MENU = "apply_menu"  # the rich menu's 電子申請 tile
ACTION_START = "apply"
ACTION_RESUME = "apply_resume"
ACTION_STATUS = "apply_status"


@dataclass(frozen=True, slots=True)
class MenuEntry:
    form_id: str
    kind: str | None
    label: str  # message key (≤ 20 characters)

    def action(self) -> Action[Phrase]:
        label = say(self.label)
        return Action(
            label=label, data=encode(ACTION_START, form=self.form_id, kind=self.kind), display_text=label
        )


MENU: tuple[MenuEntry, ...] = (
    MenuEntry("koho_delivery", "new", "applications_chat.menu.koho_new"),
    MenuEntry("koho_delivery", "change_address", "applications_chat.menu.koho_change_address"),
    MenuEntry("koho_delivery", "stop", "applications_chat.menu.koho_stop"),
    MenuEntry("koho_survey", None, "applications_chat.menu.koho_survey"),
)


def _action(action: str, label_key: str) -> Action[Phrase]:
    label = say(label_key)
    return Action(label=label, data=encode(action), display_text=label)


def menu_action() -> Action[Phrase]:
    """The quick reply that opens the 電子申請 menu (help reply)."""
    return _action(ACTION_MENU, "applications_chat.menu.label")


def resume_action() -> Action[Phrase]:
    return _action(ACTION_RESUME, "applications_chat.resume.label")


def status_action() -> Action[Phrase]:
    return _action(ACTION_STATUS, "applications_chat.status.label")


def find_entry(form_id: str, kind: str | None, entries: tuple[MenuEntry, ...] = MENU) -> MenuEntry | None:
    """The offered entry a start postback names; None for anything not on the menu."""
    return next((e for e in entries if e.form_id == form_id and e.kind == kind), None)
