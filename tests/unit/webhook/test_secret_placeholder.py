"""The LINE secret the template creates is refused by the webhook until staff replace it."""

from __future__ import annotations

import json

from civicline.domain.webhook.signature import PLACEHOLDER_CHANNEL_SECRET, channel_secret_problem
from devstack.sam_template import resources_of_type, translate


def test_the_secret_created_at_deploy_holds_the_placeholder_the_webhook_refuses() -> None:
    # Given the LINE secret as CloudFormation creates it
    (secret,) = resources_of_type(translate(), "AWS::SecretsManager::Secret").values()
    document = json.loads(secret["Properties"]["SecretString"])
    # Then it holds the channel id and secret fields, both the placeholder, which the webhook refuses
    assert document == {"channelId": PLACEHOLDER_CHANNEL_SECRET, "channelSecret": PLACEHOLDER_CHANNEL_SECRET}
    assert channel_secret_problem(document["channelSecret"]) is not None
