"""The LINE client: credentials from template.yaml's secret, access tokens issued by (the fake) LINE."""

from __future__ import annotations

import json
import traceback

import pytest
from tests.integration.aws_from_template import TemplateAws

from civicline.adapters.line.client import LineApi, LineSecretInvalid
from civicline.domain.errors import LineRejected
from civicline.models.environment import LineEnvironment
from devstack.credentials import DEV_CHANNEL_ID
from devstack.fake_line import FakeLine

SECRET = "9f86d081884c7d659a2feaa0c55ad015"  # 32 hex characters, as LINE issues them
OLD_TOKEN = "eyJhbGciOiJIUzI1NiJ9.long-lived-token-ending-in-Zx9"
TIMEOUT = (3.05, 10.0)
RESIDENT = "U" + "a1" * 16


def _store_secret(aws: TemplateAws, document: object) -> None:
    aws.client("secretsmanager").put_secret_value(
        SecretId=aws.secret_arn("LineChannelSecret"), SecretString=json.dumps(document)
    )


def _line_api() -> LineApi:
    """The client as a composition root builds it, from the environment template.yaml gives."""
    return LineApi(LineEnvironment.from_environ())


def _everything_printed(error: BaseException) -> str:
    """What a log line or a trace would hold: message, type and the whole chained traceback."""
    return "".join(traceback.format_exception(error))


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"channelId": DEV_CHANNEL_ID, "channelSecrt": SECRET}, "channelSecret"),  # a typo in a key
        ({"channelSecret": SECRET, "channelAccessToken": OLD_TOKEN}, "channelId"),  # the old shape
        ({"channelId": DEV_CHANNEL_ID, "channelSecret": SECRET[:20]}, "channelSecret"),  # cut short
        ([SECRET, OLD_TOKEN], "(root)"),  # not an object at all
    ],
)
def test_a_mistyped_secret_is_reported_by_field_name_without_a_character_of_it(
    aws: TemplateAws, document: object, named: str
) -> None:
    # Given staff entered the LINE secret's JSON wrongly
    _store_secret(aws, document)
    # When a function reads it
    with pytest.raises(LineSecretInvalid) as invalid:
        _line_api().credentials()
    # Then the error names the field to correct, and nothing that would reach a log or X-Ray quotes
    # the start of the secret or the end of the token
    printed = _everything_printed(invalid.value)
    assert named in str(invalid.value)
    assert SECRET[:8] not in printed
    assert OLD_TOKEN[-8:] not in printed


def test_calls_to_line_carry_a_token_issued_from_the_channel_id_and_secret(
    aws: TemplateAws, fake_line: FakeLine
) -> None:
    # Given the secret as staff enter it (channel id and secret: no access token anywhere)
    fake_line.reset(users=True)
    fake_line.add_user(RESIDENT, "Alice")
    # When the worker calls LINE
    line = _line_api()
    profile = line.messaging_api().get_profile(RESIDENT, _request_timeout=TIMEOUT)
    # Then LINE issued a token from the channel's id and secret, and the call was authorised with it
    assert profile.user_id == RESIDENT
    # And the next call reuses that token instead of issuing another
    line.messaging_api().get_profile(RESIDENT, _request_timeout=TIMEOUT)
    issued = [r for r in fake_line.requests() if r["path"] == "/oauth2/v3/token"]
    assert len(issued) == 1


def test_a_secret_line_does_not_know_fails_without_quoting_it(aws: TemplateAws) -> None:
    # Given a channel secret of the right shape that is not the channel's
    _store_secret(aws, {"channelId": DEV_CHANNEL_ID, "channelSecret": SECRET})
    # When a function needs a token, Then LINE's refusal is a LineRejected naming no secret
    with pytest.raises(LineRejected, match="HTTP 400") as refused:
        _line_api().messaging_api()
    assert SECRET[:8] not in _everything_printed(refused.value)
