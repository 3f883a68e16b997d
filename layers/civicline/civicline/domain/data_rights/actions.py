"""The taps of the data-rights features: postback data `action=datarights&op=<op>[&at=<epoch s>]`.

`at` on 削除する is when the confirmation card was asked for (LINE's event time, so a retried event
yields the same card): a tap long after that card, an old card found in the chat history, deletes
nothing and asks again.
"""

from __future__ import annotations

from enum import StrEnum

from civicline.domain.chat.postbacks import encode
from civicline.domain.chat.replies import CARD_LABEL_MAX, Action, fit
from civicline.messages import text

ACTION = "datarights"


class Op(StrEnum):
    SHOW = "show"  # 登録情報の確認
    ASK = "ask"  # 登録情報の削除: the confirmation card
    ERASE = "erase"  # 削除する
    CANCEL = "cancel"  # やめる


def show_action() -> Action:
    label = text("data_rights.show.label")
    return Action(label=fit(label), data=encode(ACTION, op=Op.SHOW.value), display_text=label)


def ask_action() -> Action:
    label = text("data_rights.erase.label")
    return Action(label=fit(label), data=encode(ACTION, op=Op.ASK.value), display_text=label)


def erase_action(asked_at_epoch: int) -> Action:
    label = text("data_rights.confirm.erase")
    return Action(
        label=fit(label, CARD_LABEL_MAX),
        data=encode(ACTION, op=Op.ERASE.value, at=asked_at_epoch),
        display_text=label,
    )


def cancel_action() -> Action:
    label = text("data_rights.confirm.cancel")
    return Action(
        label=fit(label, CARD_LABEL_MAX), data=encode(ACTION, op=Op.CANCEL.value), display_text=label
    )
