"""Staff sign-in through the user pool's public API (USER_PASSWORD_AUTH over TLS, TOTP MFA).

The console's page talks only to its own origin, so StaffApiFunction calls Cognito for it. These are
Cognito's unauthenticated operations: the user's password, session, code or token is the credential,
so the function's role needs no grant for them. Nothing here logs or returns a password or a token
beyond handing the tokens to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civicline.adapters.aws_errors import error_code
from civicline.domain.errors import CivicLineError

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=3, read_timeout=5)
TOTP_DEVICE_NAME = "civicline-staff"


def cognito_client() -> Any:
    return boto3.client("cognito-idp", config=_CONFIG)


class SignInRefused(CivicLineError):
    """Cognito said no; `reason` is its error code (NotAuthorizedException, CodeMismatchException, ...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"sign-in refused: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str
    expires_in: int

    def __repr__(self) -> str:  # never let a token reach a log through a repr
        return f"Tokens(expires_in={self.expires_in})"


@dataclass(frozen=True)
class Challenge:
    name: str  # SOFTWARE_TOKEN_MFA, MFA_SETUP, NEW_PASSWORD_REQUIRED
    session: str

    def __repr__(self) -> str:
        return f"Challenge({self.name})"


@dataclass(frozen=True)
class MfaSecret:
    secret_code: str
    session: str

    def __repr__(self) -> str:
        return "MfaSecret(...)"


Step = Tokens | Challenge


class CognitoSignIn:
    def __init__(self, client: Any, client_id: str) -> None:
        self._client = client
        self._client_id = client_id

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = getattr(self._client, operation)(**kwargs)
        except (ClientError, BotoCoreError) as error:
            raise SignInRefused(error_code(error)) from None  # the cause may echo what was sent
        return result

    def _step(self, answer: dict[str, Any], refresh_token: str = "") -> Step:
        if "AuthenticationResult" in answer:
            result = answer["AuthenticationResult"]
            return Tokens(
                id_token=result["IdToken"],
                access_token=result["AccessToken"],
                refresh_token=result.get("RefreshToken") or refresh_token,
                expires_in=int(result["ExpiresIn"]),
            )
        return Challenge(name=str(answer["ChallengeName"]), session=str(answer["Session"]))

    def sign_in(self, username: str, password: str) -> Step:
        return self._step(
            self._call(
                "initiate_auth",
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        )

    def _respond(self, challenge: str, session: str, responses: dict[str, str]) -> Step:
        return self._step(
            self._call(
                "respond_to_auth_challenge",
                ClientId=self._client_id,
                ChallengeName=challenge,
                Session=session,
                ChallengeResponses=responses,
            )
        )

    def answer_mfa(self, username: str, session: str, code: str) -> Step:
        return self._respond(
            "SOFTWARE_TOKEN_MFA", session, {"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code}
        )

    def new_password(self, username: str, session: str, new_password: str) -> Step:
        return self._respond(
            "NEW_PASSWORD_REQUIRED", session, {"USERNAME": username, "NEW_PASSWORD": new_password}
        )

    def start_mfa_setup(self, session: str) -> MfaSecret:
        answer = self._call("associate_software_token", Session=session)
        return MfaSecret(secret_code=answer["SecretCode"], session=answer.get("Session", session))

    def finish_mfa_setup(self, username: str, session: str, code: str) -> Step:
        verified = self._call(
            "verify_software_token", Session=session, UserCode=code, FriendlyDeviceName=TOTP_DEVICE_NAME
        )
        if verified.get("Status") != "SUCCESS":
            raise SignInRefused("CodeMismatchException")
        return self._respond("MFA_SETUP", verified.get("Session", session), {"USERNAME": username})

    def refresh(self, refresh_token: str) -> Tokens:
        step = self._step(
            self._call(
                "initiate_auth",
                ClientId=self._client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            ),
            refresh_token,
        )
        if not isinstance(step, Tokens):
            raise SignInRefused("NotAuthorizedException")
        return step

    def sign_out(self, access_token: str, refresh_token: str) -> None:
        """Revoke the refresh token (and the tokens issued from it), then end every session."""
        if refresh_token:
            self._call("revoke_token", Token=refresh_token, ClientId=self._client_id)
        self._call("global_sign_out", AccessToken=access_token)
