"""The LINE Messaging API client: created once per container, credentials from Secrets Manager.

Every call through it must pass `_request_timeout=LINE_TIMEOUT`: the SDK's sync client has no default
timeout, and a hung call would hold an SQS batch until the function times out.
"""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools.utilities import parameters
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob
from pydantic import BaseModel, ConfigDict, Field

from civicline.models.environment import LineEnvironment, environment

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


def line_credentials() -> LineCredentials:
    secret = parameters.get_secret(
        environment(LineEnvironment).line_secret_id, transform="json", max_age=CREDENTIALS_MAX_AGE_SECONDS
    )
    return LineCredentials.model_validate(secret)


REAL_LINE_HOST = "https://api.line.me"


@cache
def _api_client(host: str, access_token: str) -> ApiClient:
    # Against real LINE the SDK must choose each operation's host itself (blob calls such as rich menu
    # images go to api-data.line.me); an explicit host would send them all to one place, which only the
    # local fake serves.
    explicit_host = None if host.rstrip("/") == REAL_LINE_HOST else host
    return ApiClient(Configuration(host=explicit_host, access_token=access_token))


def api_client() -> ApiClient:
    """One HTTP connection pool per container and token (a rotated token gets a new client)."""
    return _api_client(environment(LineEnvironment).line_api_host, line_credentials().channel_access_token)


def messaging_api() -> MessagingApi:
    return MessagingApi(api_client())


def messaging_blob_api() -> MessagingApiBlob:
    return MessagingApiBlob(api_client())
