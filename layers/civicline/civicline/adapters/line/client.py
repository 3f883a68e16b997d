"""The LINE Messaging API client: created once per container, authorised by a stateless token it issues.

The LINE secret in Secrets Manager holds `{"channelId", "channelSecret"}`; the channel access token is
issued from them and renewed before it expires (why: channel_token.py). Every call through the client must
pass `_request_timeout=LINE_TIMEOUT`: the SDK's sync client has no default timeout, and a hung call would
hold an SQS batch until the function times out.
"""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools.utilities import parameters
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from civicline.adapters.line.channel_token import StatelessTokens, stateless_token_issuer
from civicline.models.environment import LineEnvironment, environment
from civicline.models.validation import invalid_fields

# (connect, read) seconds. Reply/push answer in well under a second; 10 s covers LINE's slow days.
LINE_TIMEOUT = (3.05, 10.0)
# The secret is re-read at most every 5 minutes, so a new channel secret reaches warm containers soon.
CREDENTIALS_MAX_AGE_SECONDS = 300
REAL_LINE_HOST = "https://api.line.me"


class LineSecretInvalid(ValueError):
    """The LINE secret's JSON does not hold a usable channel id and secret (names the fields only)."""


class LineCredentials(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    channel_id: str = Field(alias="channelId", pattern=r"^[0-9]+$")  # the console's "Channel ID"
    channel_secret: str = Field(alias="channelSecret", min_length=32)  # LINE issues 32 hex characters

    def __repr__(self) -> str:  # never let a secret reach a log through a repr
        return "LineCredentials(<redacted>)"

    __str__ = __repr__


def line_credentials() -> LineCredentials:
    secret_id = environment(LineEnvironment).line_secret_id
    secret = parameters.get_secret(secret_id, transform="json", max_age=CREDENTIALS_MAX_AGE_SECONDS)
    try:
        return LineCredentials.model_validate(secret)
    except ValidationError as error:
        # pydantic's own text quotes the input (pieces of the secret): field names only, and no chained
        # error for a log or a trace to print.
        fields = ", ".join(invalid_fields(error))
        raise LineSecretInvalid(f"the LINE secret {secret_id} is not usable; check: {fields}") from None


def _explicit_host(host: str) -> str | None:
    # Against real LINE the SDK must choose each operation's host itself (blob calls such as rich menu
    # images go to api-data.line.me); an explicit host would send them all to one place, which only the
    # local fake serves.
    return None if host.rstrip("/") == REAL_LINE_HOST else host


@cache
def _channel_tokens(host: str) -> StatelessTokens:
    return StatelessTokens(stateless_token_issuer(_explicit_host(host)))


class _ClientPerToken:
    """The API client of the current token (the SDK fixes the Authorization header when it is built)."""

    def __init__(self, host: str | None) -> None:
        self._host = host
        self._token: str | None = None
        self._client: ApiClient | None = None

    def client(self, token: str) -> ApiClient:
        if self._client is None or token != self._token:
            # The old client is dropped, not closed: a call still in flight on it may finish.
            self._client = ApiClient(Configuration(host=self._host, access_token=token))
            self._token = token
        return self._client


@cache
def _clients(host: str) -> _ClientPerToken:
    return _ClientPerToken(_explicit_host(host))


def api_client() -> ApiClient:
    """One HTTP connection pool per container and token; a new token every ~13 minutes."""
    host = environment(LineEnvironment).line_api_host
    credentials = line_credentials()
    token = _channel_tokens(host).token(credentials.channel_id, credentials.channel_secret)
    return _clients(host).client(token)


def messaging_api() -> MessagingApi:
    return MessagingApi(api_client())


def messaging_blob_api() -> MessagingApiBlob:
    return MessagingApiBlob(api_client())
