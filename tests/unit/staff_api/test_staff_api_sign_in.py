"""Sign-in proxied to Cognito: each step's answer, Japanese refusals, nothing about who has an account."""

from __future__ import annotations

from tests.support.staff_api_events import answer_json, http_event
from tests.unit.staff_api.staff_api_fakes import FakeCognito, StaffApi

TOKENS = {
    "idToken": "id.token",
    "accessToken": "access.token",
    "refreshToken": "refresh.token",
    "expiresIn": 900,
}


RIGHT_PASSWORD = FakeCognito().password


def sign_in(api: StaffApi, password: str = RIGHT_PASSWORD) -> dict:
    body = {"username": "editor@example.jp", "password": password}
    return api.call(http_event("POST", "/staff/api/auth/sign-in", body))


def test_a_right_password_without_mfa_step_returns_the_tokens(api: StaffApi) -> None:
    answer = sign_in(api)
    assert answer["statusCode"] == 200
    assert answer_json(answer) == {"tokens": TOKENS}


def test_a_wrong_password_is_refused_without_saying_whether_the_user_exists(api: StaffApi) -> None:
    answer = sign_in(api, password="wrong")
    assert answer["statusCode"] == 401
    assert answer_json(answer) == {"message": "ユーザー名またはパスワードが正しくありません。"}
    assert "wrong" not in answer["body"]


def test_with_mfa_the_totp_code_completes_the_sign_in(api: StaffApi) -> None:
    # Given an account with TOTP set up
    api.fakes.cognito.challenge = "SOFTWARE_TOKEN_MFA"
    # When the password is right, then the page is asked for the code
    assert answer_json(sign_in(api)) == {"challenge": "SOFTWARE_TOKEN_MFA", "session": "session-1"}
    # And the right code returns the tokens; a wrong one a Japanese refusal
    body = {"username": "editor@example.jp", "session": "session-1", "code": "123456"}
    assert answer_json(api.call(http_event("POST", "/staff/api/auth/mfa", body))) == {"tokens": TOKENS}
    wrong = api.call(http_event("POST", "/staff/api/auth/mfa", {**body, "code": "000000"}))
    assert wrong["statusCode"] == 401
    assert answer_json(wrong)["message"].startswith("確認コードが正しくありません")


def test_a_first_sign_in_sets_up_the_authenticator_app(api: StaffApi) -> None:
    setup = answer_json(api.call(http_event("POST", "/staff/api/auth/mfa-setup", {"session": "session-1"})))
    assert setup["secretCode"] == "JBSWY3DPEHPK3PXP"
    assert setup["otpauthUri"].startswith("otpauth://totp/civicline")
    assert "secret=JBSWY3DPEHPK3PXP" in setup["otpauthUri"]
    body = {"username": "editor@example.jp", "session": setup["session"], "code": "123456"}
    verified = api.call(http_event("POST", "/staff/api/auth/mfa-setup/verify", body))
    assert answer_json(verified) == {"tokens": TOKENS}


def test_a_code_that_is_not_six_digits_never_reaches_cognito(api: StaffApi) -> None:
    body = {"username": "editor@example.jp", "session": "s", "code": "12ab"}
    answer = api.call(http_event("POST", "/staff/api/auth/mfa", body))
    assert answer["statusCode"] == 400
    assert [detail["field"] for detail in answer_json(answer)["details"]] == ["code"]
    assert api.fakes.cognito.calls == []


def test_refresh_keeps_the_refresh_token(api: StaffApi) -> None:
    answer = api.call(http_event("POST", "/staff/api/auth/refresh", {"refreshToken": "refresh.token"}))
    assert answer_json(answer) == {"tokens": TOKENS}


def test_sign_out_revokes_the_refresh_token_and_ends_every_session(api: StaffApi) -> None:
    body = {"accessToken": "access.token", "refreshToken": "refresh.token"}
    answer = api.call(http_event("POST", "/staff/api/auth/sign-out", body))
    assert answer["statusCode"] == 204
    assert api.fakes.cognito.calls == ["revoke_token", "global_sign_out"]
