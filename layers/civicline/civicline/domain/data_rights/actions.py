"""The taps of the data-rights features: postback data `action=datarights&op=<op>[&at=<epoch s>]`.

`at` on 削除する is when the confirmation card was asked for (LINE's event time, so a retried event
yields the same card): a tap long after that card, an old card found in the chat history, deletes
nothing and asks again.
"""

from __future__ import annotations

from enum import StrEnum

from civicline.domain.chat.postbacks import encode
from civicline.domain.chat.replies import Action
from civicline.domain.chat.wording import Phrase, say

ACTION = "datarights"


class Op(StrEnum):
    SHOW = "show"  # 登録情報の確認
    ASK = "ask"  # 登録情報の削除: the confirmation card
    ERASE = "erase"  # 削除する
    CANCEL = "cancel"  # やめる


def _action(label_key: str, data: str) -> Action[Phrase]:
    label = say(label_key)
    return Action(label=label, data=data, display_text=label)


def show_action() -> Action[Phrase]:
    return _action("data_rights.show.label", encode(ACTION, op=Op.SHOW.value))


def ask_action() -> Action[Phrase]:
    return _action("data_rights.erase.label", encode(ACTION, op=Op.ASK.value))


def erase_action(asked_at_epoch: int) -> Action[Phrase]:
    return _action("data_rights.confirm.erase", encode(ACTION, op=Op.ERASE.value, at=asked_at_epoch))


def cancel_action() -> Action[Phrase]:
    return _action("data_rights.confirm.cancel", encode(ACTION, op=Op.CANCEL.value))
