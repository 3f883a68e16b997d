"""The LINE Messaging API client: made once per container by a composition root; secret in Secrets Manager.

Every call through it must pass `_request_timeout=LINE_TIMEOUT`: the SDK's sync client has no default
timeout, and a hung call would hold an SQS batch until the function times out.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities import parameters
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi
from pydantic import BaseModel, ConfigDict, Field

from civicline.models.environment import LineEnvironment

# (connect, read) seconds. Reply/push answer in well under a second; 10 s covers LINE's slow days.
LINE_TIMEOUT = (3.05, 10.0)
# Credentials are re-read at most every 5 minutes, so a rotated token reaches warm containers soon.
CREDENTIALS_MAX_AGE_SECONDS = 300


class LineCredentials(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    channel_secret: str = Field(alias="channelSecret", min_length=1)
    channel_access_token: str = Field(alias="channelAccessToken", min_length=1)

    def __repr__(self) -> str:  # never let a secret reach a log through a repr
        return "LineCredentials(<redacted>)"

    __str__ = __repr__


REAL_LINE_HOST = "https://api.line.me"


class LineApi:
    """The Messaging API for one channel: a composition root makes it once and hands out `messaging_api`.

    One HTTP connection pool per access token: a rotated token (credentials re-read every 5 minutes)
    gets a new client, an unchanged one reuses its connections.
    """

    def __init__(self, env: LineEnvironment) -> None:
        self._env = env
        self._clients: dict[str, ApiClient] = {}

    def credentials(self) -> LineCredentials:
        secret = parameters.get_secret(
            self._env.line_secret_id, transform="json", max_age=CREDENTIALS_MAX_AGE_SECONDS
        )
        return LineCredentials.model_validate(secret)

    def api_client(self) -> ApiClient:
        token = self.credentials().channel_access_token
        client = self._clients.get(token)
        if client is None:
            # Against real LINE the SDK must choose each operation's host itself (blob calls such as
            # rich menu images go to api-data.line.me); an explicit host would send them all to one
            # place, which only the local fake serves.
            host = self._env.line_api_host
            explicit_host = None if host.rstrip("/") == REAL_LINE_HOST else host
            client = ApiClient(Configuration(host=explicit_host, access_token=token))
            self._clients = {token: client}  # the old token's pool is not used again
        return client

    def messaging_api(self) -> MessagingApi:
        return MessagingApi(self.api_client())
