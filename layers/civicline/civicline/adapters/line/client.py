"""The LINE Messaging API client: made once per container by a composition root, authorised by a stateless
token it issues.

The LINE secret in Secrets Manager holds `{"channelId", "channelSecret"}`; the channel access token is
issued from them and renewed before it expires (why: channel_token.py). Every call through the client must
pass `_request_timeout=LINE_TIMEOUT`: the SDK's sync client has no default timeout, and a hung call would
hold an SQS batch until the function times out.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities import parameters
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from civicline.adapters.line.channel_token import StatelessTokens, stateless_token_issuer
from civicline.models.environment import LineEnvironment
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


def _explicit_host(host: str) -> str | None:
    # Against real LINE the SDK must choose each operation's host itself (blob calls such as rich menu
    # images go to api-data.line.me); an explicit host would send them all to one place, which only the
    # local fake serves.
    return None if host.rstrip("/") == REAL_LINE_HOST else host


class LineApi:
    """The Messaging API for one channel: a composition root makes it once and hands out `messaging_api`.

    One HTTP connection pool per access token: a renewed token (every ~13 minutes, or for a new channel
    secret) gets a new client, an unchanged one reuses its connections.
    """

    def __init__(self, env: LineEnvironment) -> None:
        self._env = env
        self._host = _explicit_host(env.line_api_host)
        self._tokens = StatelessTokens(stateless_token_issuer(self._host))
        self._clients: dict[str, ApiClient] = {}

    def credentials(self) -> LineCredentials:
        secret_id = self._env.line_secret_id
        secret = parameters.get_secret(secret_id, transform="json", max_age=CREDENTIALS_MAX_AGE_SECONDS)
        try:
            return LineCredentials.model_validate(secret)
        except ValidationError as error:
            # pydantic's own text quotes the input (pieces of the secret): field names only, and no
            # chained error for a log or a trace to print.
            fields = ", ".join(invalid_fields(error))
            raise LineSecretInvalid(f"the LINE secret {secret_id} is not usable; check: {fields}") from None

    def api_client(self) -> ApiClient:
        credentials = self.credentials()
        token = self._tokens.token(credentials.channel_id, credentials.channel_secret)
        client = self._clients.get(token)
        if client is None:
            # The SDK fixes the Authorization header when the client is built. The old token's client
            # is dropped, not closed: a call still in flight on it may finish.
            client = ApiClient(Configuration(host=self._host, access_token=token))
            self._clients = {token: client}
        return client

    def messaging_api(self) -> MessagingApi:
        return MessagingApi(self.api_client())
