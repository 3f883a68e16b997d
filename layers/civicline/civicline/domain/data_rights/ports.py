"""What the data-rights domain needs from the outside world; adapters implement these."""

from __future__ import annotations

from typing import Protocol

from civicline.domain.data_rights.records import AuditEntry, Erasure, ErasureRequest, Holdings


class DataRightsStore(Protocol):
    def holdings(self, user_id: str) -> Holdings:
        """Profile and settings, applications (masked copies only, never the sealed answers), surveys
        and whether a conversation is open."""
        ...

    def erase(self, user_id: str, request: ErasureRequest) -> Erasure:
        """Remove the resident's personal data everywhere (see the package's docstring). Safe to run
        again: what is gone already is skipped, what is left is removed."""
        ...


class DataRightsAudit(Protocol):
    def record(self, entry: AuditEntry) -> None:
        """Keep the entry once: a retried request (same event id and time) adds nothing."""
        ...
