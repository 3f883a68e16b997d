"""The X-Line-Retry-Key of a batch: the same batch always carries the same key.

LINE remembers an accepted key for 24 hours and answers a repeat with 409, so a batch delivered again
by SQS, retried after a timeout, or re-enqueued by a resumed planner is never sent twice.
"""

from __future__ import annotations

import uuid

# Fixed forever: changing it would give in-flight batches new keys.
RETRY_KEY_NAMESPACE = uuid.UUID("6f1c2a8e-4b7d-5c39-9e0a-2d4b8f1e7c53")


def retry_key(broadcast_id: str, batch_number: int) -> str:
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, f"{broadcast_id}:{batch_number}"))
