"""The chat's answer as line-bot-sdk messages: text with quick replies, and Flex cards.

The one place an answer is rendered for LINE: its words are resolved in the resident's language
(`civicline.domain.chat.replies.resolved`), then each reply becomes a LINE message.
"""

from __future__ import annotations

from typing import Any

from linebot.v3.messaging import (
    FlexContainer,
    FlexMessage,
    Message,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from civicline.domain.chat.replies import Action, Answer, Card, TextReply, resolved
from civicline.domain.chat.wording import Phrase

ACCENT = "#1D6A96"
MUTED = "#666666"


def line_messages(answer: Answer[Phrase], lang: str) -> list[Message]:
    said = resolved(answer, lang)
    return [_text(reply) if isinstance(reply, TextReply) else _card(reply) for reply in said.replies]


def postback_action(action: Action[str]) -> PostbackAction:
    return PostbackAction(label=action.label, data=action.data, displayText=action.display_text)


def _text(reply: TextReply[str]) -> TextMessage:
    quick_reply = None
    if reply.quick_replies:
        quick_reply = QuickReply(
            items=[QuickReplyItem(action=postback_action(a)) for a in reply.quick_replies]
        )
    return TextMessage(text=reply.text, quickReply=quick_reply)


def _button(action: Action[str], style: str = "link") -> dict[str, Any]:
    postback: dict[str, Any] = {"type": "postback", "label": action.label, "data": action.data}
    if action.display_text:
        postback["displayText"] = action.display_text
    return {"type": "button", "style": style, "height": "sm", "action": postback}


def card_bubble(card: Card[str]) -> dict[str, Any]:
    """The Flex bubble of a card: one block per row (label, value, its button), buttons in the footer."""
    rows: list[dict[str, Any]] = []
    for index, row in enumerate(card.rows):
        if index:
            rows.append({"type": "separator", "margin": "md"})
        line: list[dict[str, Any]] = [
            {
                "type": "box",
                "layout": "vertical",
                "flex": 4,
                "contents": [
                    {"type": "text", "text": row.label, "size": "xs", "color": MUTED},
                    {"type": "text", "text": row.value, "size": "sm", "wrap": True},
                ],
            }
        ]
        if row.action:
            line.append({**_button(row.action), "flex": 2, "gravity": "center"})
        rows.append({"type": "box", "layout": "horizontal", "margin": "md", "contents": line})
    body: list[dict[str, Any]] = [{"type": "text", "text": card.title, "weight": "bold", "size": "md"}, *rows]
    if card.note:
        body.append(
            {"type": "text", "text": card.note, "size": "xs", "color": MUTED, "wrap": True, "margin": "lg"}
        )
    bubble: dict[str, Any] = {
        "type": "bubble",
        "body": {"type": "box", "layout": "vertical", "contents": body},
    }
    if card.buttons:
        bubble["footer"] = {
            "type": "box",
            "layout": "vertical",
            "contents": [_button(action, style="secondary") for action in card.buttons],
        }
    return bubble


def _card(card: Card[str]) -> FlexMessage:
    return FlexMessage(altText=card.alt_text, contents=FlexContainer.from_dict(card_bubble(card)))
