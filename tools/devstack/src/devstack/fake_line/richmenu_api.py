"""Handlers for rich menus, their images (LINE's api-data host; the same fake here), defaults and aliases."""

from __future__ import annotations

from typing import Any

from devstack.fake_line import limits, schema
from devstack.fake_line.messaging import checked_body
from devstack.fake_line.richmenus import RichMenuStore
from devstack.fake_line.routing import Call, Handler, Route, route
from devstack.fake_line.wire import Response, json_response


def _store(call: Call) -> RichMenuStore:
    store: RichMenuStore = call.app.richmenus
    return store


def _rich_menu_body(call: Call) -> dict[str, Any]:
    return checked_body(call, schema.RICH_MENU, limits.check_rich_menu)


def create(call: Call) -> Response:
    rich_menu_id = _store(call).create(_rich_menu_body(call))
    return json_response(200, {"richMenuId": rich_menu_id})


def validate(call: Call) -> Response:
    _rich_menu_body(call)
    return json_response(200, {})


def get(call: Call) -> Response:
    return json_response(200, _store(call).get(call.params["richMenuId"]))


def list_menus(call: Call) -> Response:
    return json_response(200, {"richmenus": _store(call).all()})


def delete(call: Call) -> Response:
    _store(call).delete(call.params["richMenuId"])
    return json_response(200, {})


def set_image(call: Call) -> Response:
    store = _store(call)
    store.set_image(call.params["richMenuId"], call.request.header("content-type"), call.request.body)
    return json_response(200, {})


def get_image(call: Call) -> Response:
    content_type, data = _store(call).image(call.params["richMenuId"])
    return Response(200, data, {"Content-Type": content_type})


def set_default(call: Call) -> Response:
    _store(call).set_default(call.params["richMenuId"])
    return json_response(200, {})


def get_default(call: Call) -> Response:
    return json_response(200, {"richMenuId": _store(call).default()})


def clear_default(call: Call) -> Response:
    _store(call).clear_default()
    return json_response(200, {})


def link_user(call: Call) -> Response:
    _store(call).link_user(call.params["userId"], call.params["richMenuId"])
    return json_response(200, {})


def menu_of_user(call: Call) -> Response:
    return json_response(200, {"richMenuId": _store(call).menu_of_user(call.params["userId"])})


def unlink_user(call: Call) -> Response:
    _store(call).unlink_user(call.params["userId"])
    return json_response(200, {})


def link_users(call: Call) -> Response:
    body = checked_body(
        call,
        schema.BULK_LINK,
        lambda b: limits.check_bulk_link_users(b.get("userIds")),
        checked_lists=("userIds",),
    )
    _store(call).link_users(list(body["userIds"]), body["richMenuId"])
    return json_response(202, {})


def unlink_users(call: Call) -> Response:
    body = checked_body(
        call,
        schema.BULK_UNLINK,
        lambda b: limits.check_bulk_link_users(b.get("userIds")),
        checked_lists=("userIds",),
    )
    _store(call).unlink_users(list(body["userIds"]))
    return json_response(202, {})


def create_alias(call: Call) -> Response:
    body = checked_body(
        call, schema.CREATE_ALIAS, lambda b: limits.check_rich_menu_alias_id(b.get("richMenuAliasId"))
    )
    _store(call).create_alias(body["richMenuAliasId"], body["richMenuId"])
    return json_response(200, {})


def update_alias(call: Call) -> Response:
    body = checked_body(call, schema.UPDATE_ALIAS)
    _store(call).update_alias(call.params["aliasId"], body["richMenuId"])
    return json_response(200, {})


def get_alias(call: Call) -> Response:
    return json_response(200, _store(call).alias(call.params["aliasId"]))


def list_aliases(call: Call) -> Response:
    return json_response(200, {"aliases": _store(call).aliases()})


def delete_alias(call: Call) -> Response:
    _store(call).delete_alias(call.params["aliasId"])
    return json_response(200, {})


# Fixed paths come before `{richMenuId}` so that `list` and `alias` are not read as menu IDs.
ROUTES: list[Route[Handler]] = [
    route("POST", "/v2/bot/richmenu", "richmenu_create", create),
    route("POST", "/v2/bot/richmenu/validate", "richmenu", validate),
    route("POST", "/v2/bot/richmenu/bulk/link", "richmenu_bulk_link", link_users),
    route("POST", "/v2/bot/richmenu/bulk/unlink", "richmenu_bulk_unlink", unlink_users),
    route("GET", "/v2/bot/richmenu/list", "richmenu", list_menus),
    route("POST", "/v2/bot/richmenu/alias", "richmenu_alias", create_alias),
    route("GET", "/v2/bot/richmenu/alias/list", "richmenu_alias", list_aliases),
    route("GET", "/v2/bot/richmenu/alias/{aliasId}", "richmenu_alias", get_alias),
    route("POST", "/v2/bot/richmenu/alias/{aliasId}", "richmenu_alias", update_alias),
    route("DELETE", "/v2/bot/richmenu/alias/{aliasId}", "richmenu_alias", delete_alias),
    route("POST", "/v2/bot/richmenu/{richMenuId}/content", "richmenu_image", set_image),
    route("GET", "/v2/bot/richmenu/{richMenuId}/content", "richmenu_image", get_image),
    route("GET", "/v2/bot/richmenu/{richMenuId}", "richmenu", get),
    route("DELETE", "/v2/bot/richmenu/{richMenuId}", "richmenu_delete", delete),
    route("POST", "/v2/bot/user/all/richmenu/{richMenuId}", "richmenu_default", set_default),
    route("GET", "/v2/bot/user/all/richmenu", "richmenu_default", get_default),
    route("DELETE", "/v2/bot/user/all/richmenu", "richmenu_default", clear_default),
    route("POST", "/v2/bot/user/{userId}/richmenu/{richMenuId}", "richmenu_user", link_user),
    route("GET", "/v2/bot/user/{userId}/richmenu", "richmenu_user", menu_of_user),
    route("DELETE", "/v2/bot/user/{userId}/richmenu", "richmenu_user", unlink_user),
]
