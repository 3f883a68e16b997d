"""Channel access tokens: stateless ones, issued from the channel id and secret, held until near expiry.

Decided: LINE's stateless channel access tokens (`POST /oauth2/v3/token`, client_credentials), issued by
each container and reused until shortly before their 15 minutes are up. The alternative, a v2.1 token kept
in Secrets Manager and rotated by a scheduled function, needs a rotation Lambda, a key pair registered in
the LINE console and a second secret, and a token that lives up to 30 days if the rotation stops. Stateless
tokens cannot be revoked but expire on their own, LINE sets no limit on how many are issued, and the secret
holds only what the console shows (channel id and secret): nothing for staff to renew, ever. The price is
one HTTPS call per container every ~13 minutes, on the workers, never on the webhook's 2-second path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import urllib3
from linebot.v3.oauth import ApiClient, ChannelAccessToken, Configuration
from linebot.v3.oauth.exceptions import ApiException

from civicline.domain.errors import CivicLineError, LineRejected, LineUnavailable

# (connect, read) seconds, as every other LINE call (the SDK's sync client has no default timeout).
TOKEN_TIMEOUT = (3.05, 10.0)
# Renew this long before expiry, so no call starts with a token that lapses mid-request.
RENEWAL_MARGIN_SECONDS = 120


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int  # seconds, as LINE answers (900 for a stateless token)

    def __repr__(self) -> str:  # never let a token reach a log through a repr
        return f"IssuedToken(<redacted>, expires_in={self.expires_in})"


Issuer = Callable[[str, str], IssuedToken]  # (channel id, channel secret) -> token


def token_failure(error: ApiException | urllib3.exceptions.HTTPError | OSError) -> CivicLineError:
    """The domain error for a failed issue: the status only (the request carried the channel secret)."""
    if not isinstance(error, ApiException):
        return LineUnavailable(f"issuing a channel access token: {type(error).__name__}")
    status = error.status or 0
    detail = f"issuing a channel access token: HTTP {status}"
    if status == 429 or status >= 500:
        return LineUnavailable(detail)
    return LineRejected(detail + " (check the channel id and secret in the LINE secret)")


def stateless_token_issuer(host: str | None) -> Issuer:
    """Issues through LINE's OAuth API; `host` None lets the SDK choose LINE's own (api.line.me)."""

    def issue(channel_id: str, channel_secret: str) -> IssuedToken:
        try:
            with ApiClient(Configuration(host=host)) as client:
                answer = ChannelAccessToken(client).issue_stateless_channel_token_by_client_secret(
                    client_id=channel_id, client_secret=channel_secret, _request_timeout=TOKEN_TIMEOUT
                )
        except (ApiException, urllib3.exceptions.HTTPError, OSError) as error:
            raise token_failure(error) from None  # the SDK's error would carry the request's context
        return IssuedToken(answer.access_token, answer.expires_in)

    return issue


class StatelessTokens:
    """The current token of a channel: issued on first use, reissued near expiry or for a new secret."""

    def __init__(self, issue: Issuer, clock: Callable[[], float] = time.monotonic) -> None:
        self._issue = issue
        self._clock = clock
        self._for: tuple[str, str] | None = None
        self._token = ""
        self._renew_at = 0.0

    def token(self, channel_id: str, channel_secret: str) -> str:
        now = self._clock()
        if self._for != (channel_id, channel_secret) or now >= self._renew_at:
            issued = self._issue(channel_id, channel_secret)
            self._for, self._token = (channel_id, channel_secret), issued.access_token
            self._renew_at = now + max(issued.expires_in - RENEWAL_MARGIN_SECONDS, 0)
        return self._token
