"""LINE's documented limits, as pure checks over request bodies (already parsed JSON).

line-bot-sdk's models check structure and a few sizes; these rules cover what LINE enforces beyond them
(REFERENCE.md): each returns the violations found, with LINE-style `property` paths such as
`messages[0].quickReply.items[13]`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from devstack.fake_line.wire import Violation

USER_ID = re.compile(r"^U[0-9a-f]{32}$")
PUSH_TARGET = re.compile(r"^[UCR][0-9a-f]{32}$")  # user, group or room
RICH_MENU_ALIAS_ID = re.compile(r"^[a-z0-9_-]{1,32}$")

MAX_RECIPIENTS = 500
MAX_MESSAGES = 5
TEXT_MAX = 5000
QUICK_REPLY_MAX_ITEMS = 13
LABEL_MAX = 20  # quick reply, rich menu and template actions
FLEX_LABEL_MAX = 40
POSTBACK_DATA_MAX = 300
DISPLAY_TEXT_MAX = 300
MESSAGE_ACTION_TEXT_MAX = 300
URI_MAX = 1000
URL_MAX = 2000
FLEX_ALT_TEXT_MAX = 1500
TEMPLATE_ALT_TEXT_MAX = 400
FLEX_BUBBLE_MAX_BYTES = 30 * 1024
FLEX_CAROUSEL_MAX_BYTES = 50 * 1024
FLEX_CAROUSEL_MAX_BUBBLES = 12
SENDER_NAME_MAX = 20
LOCATION_TEXT_MAX = 100

RICH_MENU_WIDTH = (800, 2500)
RICH_MENU_MIN_HEIGHT = 250
RICH_MENU_MIN_RATIO = 1.45
RICH_MENU_MAX_AREAS = 20
RICH_MENU_CHAT_BAR_TEXT_MAX = 14
RICH_MENU_NAME_MAX = 300
RICH_MENU_IMAGE_MAX_BYTES = 1024 * 1024
MAX_RICH_MENUS = 1000
MAX_RICH_MENU_ALIASES = 1000
BULK_LINK_MAX_USERS = 500  # link / unlink a rich menu for multiple users

URI_SCHEMES = ("http://", "https://", "line://", "tel:")


def text_length(value: str) -> int:
    """Characters as LINE counts them: UTF-16 code units (an emoji outside the BMP counts twice).

    Stricter than counting code points, so text that passes here also passes at LINE.
    """
    return len(value.encode("utf-16-le")) // 2


def _length(path: str, value: Any, maximum: int, minimum: int = 0) -> list[Violation]:
    if isinstance(value, str) and not minimum <= text_length(value) <= maximum:
        return [Violation(path, f"Length must be between {minimum} and {maximum}")]
    return []


def _size(path: str, value: Any, maximum: int, minimum: int = 1) -> list[Violation]:
    if not isinstance(value, list) or not minimum <= len(value) <= maximum:
        return [Violation(path, f"Size must be between {minimum} and {maximum}")]
    return []


def _required(path: str, container: dict[str, Any], key: str) -> list[Violation]:
    if container.get(key) is None:
        return [Violation(f"{path}.{key}" if path else key, "must be specified")]
    return []


def _https_url(path: str, value: Any) -> list[Violation]:
    if not isinstance(value, str):
        return []
    if not value.startswith("https://"):
        return [Violation(path, "must be an HTTPS URL")]
    return _length(path, value, URL_MAX)


# --- recipients -----------------------------------------------------------------------------------


def check_multicast_recipients(to: Any) -> list[Violation]:
    return _user_ids("to", to, MAX_RECIPIENTS)


def check_bulk_link_users(user_ids: Any) -> list[Violation]:
    return _user_ids("userIds", user_ids, BULK_LINK_MAX_USERS)


def _user_ids(path: str, value: Any, maximum: int) -> list[Violation]:
    violations = _size(path, value, maximum)
    if isinstance(value, list):
        violations += [
            Violation(f"{path}[{index}]", "must be a valid user ID")
            for index, user_id in enumerate(value)
            if not (isinstance(user_id, str) and USER_ID.match(user_id))
        ]
    return violations


def check_push_target(to: Any) -> list[Violation]:
    if not (isinstance(to, str) and PUSH_TARGET.match(to)):
        return [Violation("to", "must be a valid user, group or room ID")]
    return []


# --- actions --------------------------------------------------------------------------------------


def check_action(action: Any, path: str, label_max: int = LABEL_MAX) -> list[Violation]:
    if not isinstance(action, dict):
        return []
    violations = _length(f"{path}.label", action.get("label"), label_max)
    kind = action.get("type")
    if kind == "postback":
        violations += _length(f"{path}.data", action.get("data"), POSTBACK_DATA_MAX)
        violations += _length(f"{path}.displayText", action.get("displayText"), DISPLAY_TEXT_MAX)
        violations += _length(f"{path}.text", action.get("text"), DISPLAY_TEXT_MAX)
        if action.get("displayText") is not None and action.get("text") is not None:
            violations.append(Violation(f"{path}.text", "displayText and text cannot be specified together"))
        violations += _required(path, action, "data")
    elif kind == "message":
        violations += _required(path, action, "text")
        violations += _length(f"{path}.text", action.get("text"), MESSAGE_ACTION_TEXT_MAX, minimum=1)
    elif kind == "uri":
        violations += _required(path, action, "uri")
        uri = action.get("uri")
        violations += _length(f"{path}.uri", uri, URI_MAX)
        if isinstance(uri, str) and not uri.startswith(URI_SCHEMES):
            violations.append(Violation(f"{path}.uri", "must start with http, https, line or tel"))
    elif kind == "datetimepicker":
        violations += _required(path, action, "data")
        violations += _length(f"{path}.data", action.get("data"), POSTBACK_DATA_MAX)
        if action.get("mode") not in ("date", "time", "datetime"):
            violations.append(Violation(f"{path}.mode", "must be one of date, time, datetime"))
    elif kind == "richmenuswitch":
        violations += _required(path, action, "richMenuAliasId")
        violations += _required(path, action, "data")
        violations += _length(f"{path}.data", action.get("data"), POSTBACK_DATA_MAX)
    return violations


def _flex_actions(node: Any, path: str) -> list[Violation]:
    violations: list[Violation] = []
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}"
            if key == "action" and isinstance(value, dict):
                violations += check_action(value, child, FLEX_LABEL_MAX)
            else:
                violations += _flex_actions(value, child)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            violations += _flex_actions(value, f"{path}[{index}]")
    return violations


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# --- messages -------------------------------------------------------------------------------------


def check_messages(messages: Any) -> list[Violation]:
    violations = _size("messages", messages, MAX_MESSAGES)
    if isinstance(messages, list):
        for index, message in enumerate(messages):
            violations += check_message(message, f"messages[{index}]")
    return violations


def check_message(message: Any, path: str) -> list[Violation]:
    if not isinstance(message, dict):
        return [Violation(path, "must be an object")]
    violations = _quick_reply(message.get("quickReply"), f"{path}.quickReply")
    sender = message.get("sender")
    if isinstance(sender, dict):
        violations += _length(f"{path}.sender.name", sender.get("name"), SENDER_NAME_MAX)
        violations += _https_url(f"{path}.sender.iconUrl", sender.get("iconUrl"))
    kind = message.get("type")
    if kind in ("text", "textV2"):
        violations += _length(f"{path}.text", message.get("text"), TEXT_MAX, minimum=1)
    elif kind in ("image", "video"):
        violations += _https_url(f"{path}.originalContentUrl", message.get("originalContentUrl"))
        violations += _https_url(f"{path}.previewImageUrl", message.get("previewImageUrl"))
    elif kind == "audio":
        violations += _https_url(f"{path}.originalContentUrl", message.get("originalContentUrl"))
    elif kind == "location":
        violations += _length(f"{path}.title", message.get("title"), LOCATION_TEXT_MAX)
        violations += _length(f"{path}.address", message.get("address"), LOCATION_TEXT_MAX)
    elif kind == "flex":
        violations += _flex(message, path)
    elif kind == "template":
        violations += _template(message, path)
    return violations


def _quick_reply(quick_reply: Any, path: str) -> list[Violation]:
    if not isinstance(quick_reply, dict):
        return []
    items = quick_reply.get("items")
    violations = _size(f"{path}.items", items, QUICK_REPLY_MAX_ITEMS)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                item_path = f"{path}.items[{index}]"
                violations += _https_url(f"{item_path}.imageUrl", item.get("imageUrl"))
                violations += check_action(item.get("action"), f"{item_path}.action")
    return violations


def _flex(message: dict[str, Any], path: str) -> list[Violation]:
    violations = _length(f"{path}.altText", message.get("altText"), FLEX_ALT_TEXT_MAX, minimum=1)
    contents = message.get("contents")
    if not isinstance(contents, dict):
        return violations
    if contents.get("type") == "carousel":
        bubbles = contents.get("contents")
        violations += _size(f"{path}.contents.contents", bubbles, FLEX_CAROUSEL_MAX_BUBBLES)
        if _json_bytes(contents) > FLEX_CAROUSEL_MAX_BYTES:
            violations.append(Violation(f"{path}.contents", "A carousel must be at most 50 KB"))
    elif _json_bytes(contents) > FLEX_BUBBLE_MAX_BYTES:
        violations.append(Violation(f"{path}.contents", "A bubble must be at most 30 KB"))
    return violations + _flex_actions(contents, f"{path}.contents")


def _template(message: dict[str, Any], path: str) -> list[Violation]:
    violations = _length(f"{path}.altText", message.get("altText"), TEMPLATE_ALT_TEXT_MAX, minimum=1)
    template = message.get("template")
    if not isinstance(template, dict):
        return violations
    template_path = f"{path}.template"
    kind = template.get("type")
    if kind == "buttons":
        has_header = template.get("title") is not None or template.get("thumbnailImageUrl") is not None
        violations += _length(f"{template_path}.title", template.get("title"), 40)
        violations += _length(f"{template_path}.text", template.get("text"), 60 if has_header else 160)
        violations += _actions(template.get("actions"), f"{template_path}.actions", 4)
    elif kind == "confirm":
        violations += _length(f"{template_path}.text", template.get("text"), 240)
        violations += _actions(template.get("actions"), f"{template_path}.actions", 2, minimum=2)
    elif kind in ("carousel", "image_carousel"):
        columns = template.get("columns")
        violations += _size(f"{template_path}.columns", columns, 10)
        for index, column in enumerate(columns if isinstance(columns, list) else []):
            if not isinstance(column, dict):
                continue
            column_path = f"{template_path}.columns[{index}]"
            if kind == "image_carousel":
                violations += check_action(column.get("action"), f"{column_path}.action", 12)
                continue
            has_header = column.get("title") is not None or column.get("thumbnailImageUrl") is not None
            violations += _length(f"{column_path}.title", column.get("title"), 40)
            violations += _length(f"{column_path}.text", column.get("text"), 60 if has_header else 120)
            violations += _actions(column.get("actions"), f"{column_path}.actions", 3)
    return violations


def _actions(actions: Any, path: str, maximum: int, minimum: int = 1) -> list[Violation]:
    violations = _size(path, actions, maximum, minimum)
    for index, action in enumerate(actions if isinstance(actions, list) else []):
        violations += check_action(action, f"{path}[{index}]")
    return violations


# --- rich menus -----------------------------------------------------------------------------------


def check_rich_menu(menu: dict[str, Any]) -> list[Violation]:
    violations: list[Violation] = []
    for key in ("size", "selected", "name", "chatBarText", "areas"):
        violations += _required("", menu, key)
    violations += _length("name", menu.get("name"), RICH_MENU_NAME_MAX, minimum=1)
    violations += _length("chatBarText", menu.get("chatBarText"), RICH_MENU_CHAT_BAR_TEXT_MAX, minimum=1)
    size = menu.get("size")
    width = height = None
    if isinstance(size, dict):
        width, height = size.get("width"), size.get("height")
        low, high = RICH_MENU_WIDTH
        if not (isinstance(width, int) and low <= width <= high):
            violations.append(Violation("size.width", f"must be between {low} and {high}"))
        if not (isinstance(height, int) and height >= RICH_MENU_MIN_HEIGHT):
            violations.append(Violation("size.height", f"must be at least {RICH_MENU_MIN_HEIGHT}"))
        elif isinstance(width, int) and width / height < RICH_MENU_MIN_RATIO:
            violations.append(Violation("size", f"width/height must be at least {RICH_MENU_MIN_RATIO}"))
    areas = menu.get("areas")
    if isinstance(areas, list):
        if len(areas) > RICH_MENU_MAX_AREAS:
            violations.append(Violation("areas", f"Size must be between 0 and {RICH_MENU_MAX_AREAS}"))
        for index, area in enumerate(areas):
            violations += _rich_menu_area(area, f"areas[{index}]", width, height)
    return violations


def _rich_menu_area(area: Any, path: str, width: Any, height: Any) -> list[Violation]:
    if not isinstance(area, dict):
        return [Violation(path, "must be an object")]
    violations = _required(path, area, "bounds") + _required(path, area, "action")
    bounds = area.get("bounds")
    if isinstance(bounds, dict):
        for key in ("x", "y", "width", "height"):
            violations += _required(f"{path}.bounds", bounds, key)
        x, y = bounds.get("x", 0), bounds.get("y", 0)
        area_width, area_height = bounds.get("width", 0), bounds.get("height", 0)
        numbers = all(isinstance(n, int) for n in (x, y, area_width, area_height, width, height))
        if numbers and (x < 0 or y < 0 or x + area_width > width or y + area_height > height):
            violations.append(Violation(f"{path}.bounds", "must be inside the rich menu's size"))
    return violations + check_action(area.get("action"), f"{path}.action")


def check_rich_menu_alias_id(alias_id: Any, path: str = "richMenuAliasId") -> list[Violation]:
    if not (isinstance(alias_id, str) and RICH_MENU_ALIAS_ID.match(alias_id)):
        return [Violation(path, "must match ^[a-z0-9_-]{1,32}$")]
    return []
