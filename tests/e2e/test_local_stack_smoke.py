"""The local stack comes up from the real template.yaml and routes LINE's webhook to its function."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e

TABLES = {
    "civicline-local-UsersTable",
    "civicline-local-ConversationsTable",
    "civicline-local-ApplicationsTable",
    "civicline-local-BroadcastsTable",
    "civicline-local-IdempotencyTable",
    "civicline-local-AuditTable",
}
QUEUES = {
    "civicline-local-events.fifo",
    "civicline-local-applications",
    "civicline-local-broadcast-batches",
}


def test_the_templates_tables_and_queues_exist(local_stack: LocalStackProcess) -> None:
    tables = set(local_stack.boto3_client("dynamodb").list_tables()["TableNames"])
    assert tables >= TABLES
    urls = local_stack.boto3_client("sqs").list_queues()["QueueUrls"]
    names = {url.rsplit("/", 1)[-1] for url in urls}
    assert names >= QUEUES
    # every source queue has its DLQ wired
    for name in QUEUES:
        url = next(u for u in urls if u.endswith(f"/{name}"))
        attributes = local_stack.boto3_client("sqs").get_queue_attributes(
            QueueUrl=url, AttributeNames=["RedrivePolicy"]
        )["Attributes"]
        assert "deadLetterTargetArn" in attributes["RedrivePolicy"]


def test_a_badly_signed_webhook_reaches_the_webhook_function_and_is_refused(
    local_stack: LocalStackProcess,
) -> None:
    # Given the console's URL check body, signed with a wrong secret
    status, _ = local_stack.post_webhook(
        {"destination": "U0", "events": []}, signature="bm90LXRoZS1zaWduYXR1cmU="
    )
    # Then the webhook function answered (a 4xx, not the local API's 404) and logged the request
    assert 400 <= status < 500
    assert status != 404
    assert "START RequestId" in (local_stack.log_dir / "WebhookFunction.log").read_text(encoding="utf-8")


def test_a_signed_empty_webhook_is_accepted(local_stack: LocalStackProcess) -> None:
    # Given LINE's URL check (no events), signed with the dev channel secret
    status, _ = local_stack.post_webhook({"destination": "U0", "events": []})
    # Then it is accepted and the stack settles
    assert status == 200
    assert local_stack.wait_until_idle(30)


def test_the_fake_line_api_and_the_invoke_api_answer(local_stack: LocalStackProcess) -> None:
    # Given a simulated resident on the fake LINE
    user_id = "U" + "0123456789abcdef" * 2
    local_stack.line_add_user(user_id, "e2e resident")
    # Then the fake LINE knows them, and the stack printed its routes and pollers
    assert local_stack.line_messages_for(user_id) == []
    output = local_stack.output()
    assert "POST /webhook -> WebhookFunction" in output
    assert "civicline-local-events.fifo -> ConversationFunction" in output
