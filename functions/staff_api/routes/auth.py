"""Sign-in (no authorizer on these routes: Cognito checks the password, the TOTP code, the tokens).

Every answer is either the next challenge (with Cognito's session) or the tokens; the page keeps the
tokens in memory only. Refusals are Japanese and say what to do; they never say whether a user exists.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from civicline.adapters.cognito_sign_in import Challenge, CognitoSignIn, SignInRefused, Step, Tokens

router = Router()
ISSUER = "civicline"  # the name an authenticator app shows above the code

WRONG_PASSWORD = (401, "ユーザー名またはパスワードが正しくありません。")
WRONG_CODE = (401, "確認コードが正しくありません。認証アプリの最新のコードを入力してください。")
TOO_MANY = (429, "試行回数が多すぎます。しばらく待ってからもう一度お試しください。")
# Cognito's error codes → what staff are told (never whether the account exists).
REFUSALS: dict[str, tuple[int, str]] = {
    "NotAuthorizedException": WRONG_PASSWORD,
    "UserNotFoundException": WRONG_PASSWORD,
    "CodeMismatchException": WRONG_CODE,
    "EnableSoftwareTokenMFAException": WRONG_CODE,
    "ExpiredCodeException": (401, "確認コードの有効期限が切れました。新しいコードを入力してください。"),
    "InvalidPasswordException": (
        400,
        "新しいパスワードが条件を満たしていません（12文字以上、英大文字・英小文字・数字・記号を含む）。",
    ),
    "PasswordResetRequiredException": (401, "パスワードの再設定が必要です。管理者に連絡してください。"),
    "UserNotConfirmedException": (401, "アカウントが有効になっていません。管理者に連絡してください。"),
    "TooManyRequestsException": TOO_MANY,
    "TooManyFailedAttemptsException": TOO_MANY,
    "LimitExceededException": TOO_MANY,
}
SESSION_EXPIRED = (401, "サインインの有効時間が過ぎました。最初からやり直してください。")
DEFAULT_REFUSAL = (401, "サインインできませんでした。最初からやり直してください。")


class _Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class SignInBody(_Body):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=256)


class CodeBody(_Body):
    username: str = Field(min_length=1, max_length=128)
    session: str = Field(min_length=1, max_length=4096)
    code: str = Field(pattern=r"^[0-9]{6}$")


class SessionBody(_Body):
    session: str = Field(min_length=1, max_length=4096)


class NewPasswordBody(_Body):
    username: str = Field(min_length=1, max_length=128)
    session: str = Field(min_length=1, max_length=4096)
    new_password: str = Field(min_length=1, max_length=256)


class RefreshBody(_Body):
    refresh_token: str = Field(min_length=1, max_length=8192)


class SignOutBody(_Body):
    access_token: str = Field(min_length=1, max_length=8192)
    refresh_token: str = Field(default="", max_length=8192)


def sign_in_service() -> CognitoSignIn:
    service: CognitoSignIn = router.context["console"].sign_in
    return service


def tokens_json(tokens: Tokens) -> dict[str, Any]:
    return {
        "tokens": {
            "idToken": tokens.id_token,
            "accessToken": tokens.access_token,
            "refreshToken": tokens.refresh_token,
            "expiresIn": tokens.expires_in,
        }
    }


def step_json(step: Step) -> dict[str, Any]:
    if isinstance(step, Challenge):
        return {"challenge": step.name, "session": step.session}
    return tokens_json(step)


def refused(error: SignInRefused) -> Response[dict[str, str]]:
    status, message = REFUSALS.get(error.reason, DEFAULT_REFUSAL)
    if error.reason == "NotAuthorizedException" and "session" in (router.current_event.json_body or {}):
        status, message = SESSION_EXPIRED
    return Response(status_code=status, content_type="application/json", body={"message": message})


@router.post("/auth/sign-in")
def sign_in() -> Any:
    body = SignInBody.model_validate(router.current_event.json_body)
    try:
        return step_json(sign_in_service().sign_in(body.username, body.password))
    except SignInRefused as error:
        return refused(error)


@router.post("/auth/mfa")
def mfa() -> Any:
    body = CodeBody.model_validate(router.current_event.json_body)
    try:
        return step_json(sign_in_service().answer_mfa(body.username, body.session, body.code))
    except SignInRefused as error:
        return refused(error)


@router.post("/auth/mfa-setup")
def mfa_setup() -> Any:
    body = SessionBody.model_validate(router.current_event.json_body)
    try:
        secret = sign_in_service().start_mfa_setup(body.session)
    except SignInRefused as error:
        return refused(error)
    # The page shows this as a QR code; the username is added by the authenticator app's entry label.
    uri = f"otpauth://totp/{quote(ISSUER)}?secret={secret.secret_code}&issuer={quote(ISSUER)}"
    return {"secretCode": secret.secret_code, "otpauthUri": uri, "session": secret.session}


@router.post("/auth/mfa-setup/verify")
def mfa_setup_verify() -> Any:
    body = CodeBody.model_validate(router.current_event.json_body)
    try:
        return step_json(sign_in_service().finish_mfa_setup(body.username, body.session, body.code))
    except SignInRefused as error:
        return refused(error)


@router.post("/auth/new-password")
def new_password() -> Any:
    body = NewPasswordBody.model_validate(router.current_event.json_body)
    try:
        return step_json(sign_in_service().new_password(body.username, body.session, body.new_password))
    except SignInRefused as error:
        return refused(error)


@router.post("/auth/refresh")
def refresh() -> Any:
    body = RefreshBody.model_validate(router.current_event.json_body)
    try:
        return tokens_json(sign_in_service().refresh(body.refresh_token))
    except SignInRefused as error:
        return refused(error)


@router.post("/auth/sign-out")
def sign_out() -> Any:
    body = SignOutBody.model_validate(router.current_event.json_body)
    try:
        sign_in_service().sign_out(body.access_token, body.refresh_token)
    except SignInRefused as error:
        return refused(error)
    return Response(status_code=204, body="")
