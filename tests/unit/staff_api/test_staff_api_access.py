"""Who may do what: the token's claims name the member of staff, the route checks their role again."""

from __future__ import annotations

import pytest
from tests.support.staff_api_events import answer_json, http_event, staff_claims
from tests.unit.staff_api.staff_api_fakes import StaffApi

from civicline.models.staff import Role, StaffIdentity

TEXT = {"messages": [{"type": "text", "text": "お知らせ"}]}


def test_an_editor_is_told_who_they_are_and_what_the_page_may_offer(api: StaffApi) -> None:
    answer = api.call(http_event("GET", "/staff/api/me", claims=staff_claims("editor@example.jp", "editor")))
    assert answer["statusCode"] == 200
    assert answer_json(answer) == {
        "username": "editor@example.jp",
        "sub": "sub-editor",
        "roles": ["editor"],
        "can": {"broadcast": True, "export": False, "richmenu": True, "audit": False},
    }


def test_an_admin_may_do_everything(api: StaffApi) -> None:
    answer = api.call(http_event("GET", "/staff/api/me", claims=staff_claims("admin@example.jp", "admin")))
    assert answer_json(answer)["can"] == {"broadcast": True, "export": True, "richmenu": True, "audit": True}


def test_groups_arrive_as_a_list_or_flattened_by_the_http_api() -> None:
    flattened = StaffIdentity.from_claims(
        {"sub": "s", "cognito:username": "u", "cognito:groups": "[editor viewer]"}
    )
    listed = StaffIdentity.from_claims(
        {"sub": "s", "cognito:username": "u", "cognito:groups": ["editor", "x"]}
    )
    assert flattened.roles == {Role.EDITOR, Role.VIEWER}
    assert listed.roles == {Role.EDITOR}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/staff/api/broadcasts", TEXT),
        ("POST", "/staff/api/broadcasts/dry-run", TEXT),
        ("POST", "/staff/api/broadcasts/test", TEXT),
        ("DELETE", "/staff/api/broadcasts/b-1/schedule", None),
        ("PUT", "/staff/api/richmenu", {"mode": "disaster"}),
        ("GET", "/staff/api/audit", None),
    ],
)
def test_a_viewer_forging_an_editors_request_is_refused_in_japanese(
    api: StaffApi, method: str, path: str, body: object
) -> None:
    # Given a viewer's valid token, when they send a request the page never offers them
    answer = api.call(http_event(method, path, body, claims=staff_claims("viewer@example.jp", "viewer")))
    # Then the API refuses it, names the role needed, and nothing reached the planner or the audit
    assert answer["statusCode"] == 403
    assert answer_json(answer)["message"].startswith("この操作を行う権限がありません（必要な役割: ")
    assert api.fakes.planner.asked == []
    assert api.fakes.actions.recorded == []


def test_the_403_names_the_broadcast_role(api: StaffApi) -> None:
    claims = staff_claims("exporter@example.jp", "exporter")
    answer = api.call(http_event("POST", "/staff/api/broadcasts", TEXT, claims=claims))
    assert answer_json(answer) == {"message": "この操作を行う権限がありません（必要な役割: 配信担当）。"}


def test_an_api_request_without_verified_claims_is_refused_not_served(api: StaffApi) -> None:
    # Given a request that reached the function without the authorizer's claims (fail closed)
    answer = api.call(http_event("GET", "/staff/api/me"))
    assert answer["statusCode"] == 401
    assert "サインイン" in answer_json(answer)["message"]


def test_a_token_without_a_username_is_not_a_staff_token(api: StaffApi) -> None:
    answer = api.call(http_event("GET", "/staff/api/me", claims={"sub": "s", "cognito:groups": "[admin]"}))
    assert answer["statusCode"] == 401


def test_an_unknown_api_path_answers_a_japanese_404(api: StaffApi) -> None:
    answer = api.call(
        http_event("GET", "/staff/api/nothing", claims=staff_claims("admin@example.jp", "admin"))
    )
    assert answer["statusCode"] == 404
    assert answer_json(answer) == {"message": "そのAPIはありません。"}
