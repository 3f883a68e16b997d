"""The LINE secret the template creates is refused by the webhook until staff replace it."""

from __future__ import annotations

import json

from civicline.domain.webhook.signature import PLACEHOLDER_CHANNEL_SECRET, channel_secret_problem
from devstack.sam_template import resources_of_type, translate


def test_the_secret_created_at_deploy_holds_the_placeholder_the_webhook_refuses() -> None:
    # Given the LINE secret as CloudFormation creates it
    (secret,) = resources_of_type(translate(), "AWS::SecretsManager::Secret").values()
    generated = secret["Properties"]["GenerateSecretString"]
    document = json.loads(generated["SecretStringTemplate"])
    # Then it holds the channel id (generated) and the placeholder channel secret, which the webhook refuses
    assert generated["GenerateStringKey"] == "channelId"
    assert document == {"channelSecret": PLACEHOLDER_CHANNEL_SECRET}
    assert channel_secret_problem(document["channelSecret"]) is not None
