"""Staff sign in to the console; each role sees what it may do, and the API (not the page) is the guard."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from moto.utilities.utils import load_resource
from tests.e2e.console.conftest import DEV_PASSWORD, ROLES, Console, username

if TYPE_CHECKING:
    from playwright.sync_api import Route
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e

MENU = ("ホーム", "配信", "申請・エクスポート", "リッチメニュー", "監査ログ")
MENU_OF_ROLE = {
    "admin": MENU,
    "editor": ("ホーム", "配信", "リッチメニュー"),
    "exporter": ("ホーム", "申請・エクスポート", "リッチメニュー"),
    "viewer": ("ホーム", "配信", "リッチメニュー"),
}


def _staff_pool(stack: LocalStackProcess) -> tuple[str, str]:
    """The staff user pool's id and app client id in moto (the pool holding the dev users)."""
    cognito = stack.boto3_client("cognito-idp")
    for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]:
        users = cognito.list_users(UserPoolId=pool["Id"])["Users"]
        if any(user["Username"] == username("admin") for user in users) or any(
            attribute["Value"] == username("admin")
            for user in users
            for attribute in user.get("Attributes", [])
        ):
            client = cognito.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=10)["UserPoolClients"][
                0
            ]
            return pool["Id"], client["ClientId"]
    raise AssertionError("no user pool holds the dev users: did the local stack seed them?")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_and_sees_only_the_pages_it_may_use(console: Console, role: str) -> None:
    # Given a member of staff with one role
    # When they sign in through the page
    page = console.sign_in(role)
    # Then the page names them and offers exactly the pages their role may use
    assert page.locator("#who-name").inner_text() == username(role)
    menu = page.get_by_role("navigation", name="メインメニュー")
    visible = tuple(link.inner_text() for link in menu.get_by_role("link").all() if link.is_visible())
    assert visible == MENU_OF_ROLE[role]
    # And the tokens live in the page's memory only: no storage, no cookie
    stored = page.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]")
    assert stored == [0, 0, ""]
    page.context.close()


def test_a_viewer_sees_no_send_button_and_a_forged_send_is_refused(console: Console) -> None:
    # Given a viewer on the 配信 page
    page = console.sign_in("viewer")
    console.open(page, "配信")
    # Then they see the list of broadcasts but nothing to send, schedule or test with
    assert page.get_by_role("heading", name="配信の一覧").is_visible()
    for name in ("今すぐ配信", "予約配信", "テスト配信"):
        assert page.get_by_role("button", name=name).count() == 0
    console.shot(page, "console-broadcasts-viewer")
    page.context.close()
    # When they forge the page's send request with their own token
    status, body = console.api(
        "viewer", "POST", "broadcasts", {"messages": [{"type": "text", "text": "forged"}], "segment": {}}
    )
    # Then the API refuses it, saying which role is needed
    assert status == 403
    assert "権限がありません" in body["message"]


def test_a_signed_out_member_of_staff_is_back_at_the_sign_in_form(console: Console) -> None:
    page = console.sign_in("editor")
    page.get_by_role("button", name="サインアウト").click()
    page.get_by_role("heading", name="サインイン").wait_for()
    assert not page.get_by_role("navigation", name="メインメニュー").is_visible()
    page.context.close()


def _expired_token(pool_id: str, client_id: str, sub: str) -> str:
    # Signed with moto's own key, for the right pool and client: only the expiry is wrong.
    key = RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": f"https://cognito-idp.ap-northeast-1.amazonaws.com/{pool_id}",
        "aud": client_id,
        "sub": sub,
        "cognito:username": username("admin"),
        "cognito:groups": ["admin"],
        "token_use": "id",
        "iat": now - 1800,
        "auth_time": now - 1800,
        "exp": now - 900,
    }
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, key)


def _token_from_another_pool(stack: LocalStackProcess) -> str:
    cognito: Any = stack.boto3_client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="another-ward")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="another",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool, Username="intruder@example.jp", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="intruder@example.jp", Password="Another-ward-2026!", Permanent=True
    )
    cognito.create_group(UserPoolId=pool, GroupName="admin")
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="intruder@example.jp", GroupName="admin")
    answer = cognito.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "intruder@example.jp", "PASSWORD": "Another-ward-2026!"},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def test_calls_without_a_valid_token_of_the_staff_pool_get_401(
    console: Console, local_stack: LocalStackProcess
) -> None:
    # Given the staff pool, and a real admin's identity
    pool_id, client_id = _staff_pool(local_stack)
    status, me = console.api("admin", "GET", "me")
    assert status == 200
    tokens = {
        "no token": "",
        "an expired token": _expired_token(pool_id, client_id, me["sub"]),
        "a token from another pool": _token_from_another_pool(local_stack),
        "a tampered token": console.token("viewer")[:-4] + "AAAA",
    }
    for why, token in tokens.items():
        # When the API is called with it
        status, body = console.api(None, "GET", "audit", token=token)
        # Then API Gateway's authorizer refuses it before the function runs
        assert status == 401, why
        assert body == {"message": "Unauthorized"}, why
    # And the page itself needs no token
    page = console.new_page()
    response = page.goto(console.url)
    assert response is not None
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    page.context.close()


def test_a_first_sign_in_in_aws_shows_the_authenticator_setup_with_a_qr_code(console: Console) -> None:
    # Given Cognito's answers in AWS for a new staff member (moto never asks for MFA_SETUP: README),
    # played to the page for the sign-in steps only
    steps: list[str] = []

    def cognito_in_aws(route: Route) -> None:
        path = route.request.url.rsplit("/staff/api/", 1)[1]
        steps.append(path)
        answers = {
            "auth/sign-in": {"challenge": "MFA_SETUP", "session": "s1"},
            "auth/mfa-setup": {
                "secretCode": "JBSWY3DPEHPK3PXP",
                "otpauthUri": "otpauth://totp/civicline?secret=JBSWY3DPEHPK3PXP&issuer=civicline",
                "session": "s2",
            },
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answers[path]))

    page = console.new_page()
    page.route("**/staff/api/auth/**", cognito_in_aws)
    page.goto(console.url)
    # When they sign in with their first password
    page.get_by_label("ユーザー名（メールアドレス）").fill(username("editor"))
    page.get_by_label("パスワード", exact=True).fill(DEV_PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    # Then the page shows the setup key as a QR code and as text, and asks for the code
    qr = page.get_by_role("img", name="認証アプリで読み取る QR コード")
    qr.wait_for()
    assert (qr.get_attribute("src") or "").startswith("data:image/gif;base64,")
    assert page.locator("#mfa-secret").inner_text() == "JBSWY3DPEHPK3PXP"
    assert page.get_by_label("確認コード").last.is_visible()
    assert steps == ["auth/sign-in", "auth/mfa-setup"]
    console.shot(page, "console-mfa-setup")
    page.context.close()
