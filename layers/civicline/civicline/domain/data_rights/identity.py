"""Who a data-rights request was about, as the audit may keep it, and who kept items belong to.

The audit keeps `audit_subject(user_id)`, a SHA-256 of the LINE user id under a fixed namespace, never
the id itself (the id is personal data: it is what an erasure removes). Why a hash and no secret key:
LINE user ids are 128 random bits, so the hash cannot be reversed by trying ids; yet whoever already
holds the id (the resident, or the ward answering the resident's inquiry) can compute it and find the
record, which proves that, when and how much was erased. A keyed hash would add nothing against that
threat and a key to manage; the raw id would keep exactly what the resident asked us to delete.

Kept applications and survey answers get `erased_owner(application_id)` as their `userId`: it names
no one, differs per item (so kept items cannot be grouped back into one person), and readers that
require a `userId` (export) still find one.
"""

from __future__ import annotations

import hashlib

SUBJECT_NAMESPACE = "civicline/data-rights/v1:"
ERASED_OWNER_PREFIX = "erased#"


def audit_subject(user_id: str) -> str:
    return hashlib.sha256(f"{SUBJECT_NAMESPACE}{user_id}".encode()).hexdigest()


def erased_owner(application_id: str) -> str:
    return f"{ERASED_OWNER_PREFIX}{application_id}"
