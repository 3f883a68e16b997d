"""A broadcast's messages as the sender needs them for every batch: read once per container.

Every version's messages are kept (a batch carries one version: its `language`).

A broadcast's messages never change once recorded, so a warm sender reads them from Broadcasts once,
not once per batch (2,000 batches for a million residents). The cache is an instance owned by the
sender's composition root, bounded to a few broadcasts: a container serves one or two at a time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from civicline.models.broadcast.message import BroadcastMessage
from civicline.models.broadcast.request import BroadcastRequest
from civicline.models.language import DEFAULT_LANGUAGE, Language

MAX_BROADCASTS_KEPT = 32


class MessageCache:
    def __init__(
        self, request: Callable[[str], BroadcastRequest], max_broadcasts: int = MAX_BROADCASTS_KEPT
    ) -> None:
        self._request = request  # the ledger's recorded request
        self._max = max_broadcasts
        self._kept: OrderedDict[str, BroadcastRequest] = OrderedDict()

    def messages(
        self, broadcast_id: str, version: Language = DEFAULT_LANGUAGE
    ) -> tuple[BroadcastMessage, ...]:
        """One version's messages (KeyError for a version the request has none in)."""
        kept = self._kept.get(broadcast_id)
        if kept is None:
            kept = self._request(broadcast_id)
            self._kept[broadcast_id] = kept
            if len(self._kept) > self._max:
                self._kept.popitem(last=False)
        return tuple(kept.messages_for(version))
