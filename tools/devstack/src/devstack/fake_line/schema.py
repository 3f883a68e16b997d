"""Request bodies checked with line-bot-sdk's own models, so the fake accepts exactly what the SDK can build.

The SDK's models are pydantic v1 (`pydantic.v1`); their discriminator look-ups raise plain ValueError or
KeyError on an unknown or missing `type`, so those become violations too.
"""

from __future__ import annotations

from typing import Any

from linebot.v3.messaging import models
from pydantic.v1 import ValidationError

from devstack.fake_line.wire import Violation

REPLY = models.ReplyMessageRequest
PUSH = models.PushMessageRequest
MULTICAST = models.MulticastRequest
NARROWCAST = models.NarrowcastRequest
BROADCAST = models.BroadcastRequest
VALIDATE_MESSAGES = models.ValidateMessageRequest
RICH_MENU = models.RichMenuRequest
CREATE_ALIAS = models.CreateRichMenuAliasRequest
UPDATE_ALIAS = models.UpdateRichMenuAliasRequest
BULK_LINK = models.RichMenuBulkLinkRequest
BULK_UNLINK = models.RichMenuBulkUnlinkRequest


def _property(location: tuple[Any, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part != "__root__":
            text += f".{part}" if text else str(part)
    return text


def _parse(model: Any, body: Any, prefix: str = "") -> list[Violation]:
    try:
        model.from_dict(body)
    except ValidationError as error:
        return [Violation(_join(prefix, _property(tuple(e["loc"]))), e["msg"]) for e in error.errors()]
    except KeyError as error:
        return [Violation(_join(prefix, str(error.args[0]) if error.args else ""), "must be specified")]
    except (ValueError, TypeError, AttributeError) as error:
        # Discriminator failures quote the whole offending object; keep the first sentence only.
        return [Violation(prefix, str(error).split(" from ", 1)[0][:200])]
    return []


def _join(prefix: str, suffix: str) -> str:
    if not prefix or not suffix:
        return prefix or suffix
    return prefix + suffix if suffix.startswith("[") else f"{prefix}.{suffix}"


_PLACEHOLDER_MESSAGE = {"type": "text", "text": "-"}


def check_with_sdk(model: Any, body: dict[str, Any], checked_lists: tuple[str, ...] = ()) -> list[Violation]:
    """Violations found when line-bot-sdk parses `body` into `model` (empty when it parses).

    Messages are parsed one by one so that a violation's property names the message it is in.
    `checked_lists` name lists whose every item the caller has already checked more strictly (multicast
    `to`): the SDK sees only their first item, which keeps 500 recipients from costing milliseconds.
    """
    body = {
        **body,
        **{key: body[key][:1] for key in checked_lists if isinstance(body.get(key), list) and body[key]},
    }
    messages = body.get("messages")
    if not isinstance(messages, list):
        return _parse(model, body)
    violations: list[Violation] = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            violations.append(Violation(f"messages[{index}]", "must be an object"))
            continue
        violations += _parse(models.Message, message, f"messages[{index}]")
    envelope = {**body, "messages": [_PLACEHOLDER_MESSAGE] * len(messages)}
    return violations + _parse(model, envelope)
