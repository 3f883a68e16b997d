"""Given LINE's published test vectors, when we sign and verify, then we agree with LINE."""

from __future__ import annotations

import pytest

from civicline.domain.webhook.signature import is_valid_signature, signature_for

VECTORS = [
    ("channel_secret", b"bodybodybodybody", "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k="),
    ("test_secret", b'{"hello":"world"}', "t7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM="),
]


@pytest.mark.parametrize(("secret", "body", "expected"), VECTORS)
def test_signature_matches_line_vectors(secret: str, body: bytes, expected: str) -> None:
    assert signature_for(secret, body) == expected
    assert is_valid_signature(secret, body, expected)


@pytest.mark.parametrize(("secret", "body", "expected"), VECTORS)
def test_any_change_to_body_or_secret_is_refused(secret: str, body: bytes, expected: str) -> None:
    assert not is_valid_signature(secret, body + b" ", expected)
    assert not is_valid_signature(secret + "x", body, expected)
    assert not is_valid_signature(secret, body, expected[:-2] + "A=")


@pytest.mark.parametrize("missing", [None, ""])
def test_missing_signature_is_refused(missing: str | None) -> None:
    assert not is_valid_signature("channel_secret", b"bodybodybodybody", missing)


def test_non_ascii_signature_is_refused_not_crashing() -> None:
    assert not is_valid_signature("channel_secret", b"bodybodybodybody", "署名")
