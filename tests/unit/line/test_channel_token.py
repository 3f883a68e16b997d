"""Stateless channel access tokens: issued once, reused while fresh, reissued before they lapse."""

from __future__ import annotations

from civicline.adapters.line.channel_token import RENEWAL_MARGIN_SECONDS, IssuedToken, StatelessTokens

SECRET = "0123456789abcdef0123456789abcdef"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingIssuer:
    """LINE's token endpoint: a new 15-minute token on every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, channel_id: str, channel_secret: str) -> IssuedToken:
        self.calls.append((channel_id, channel_secret))
        return IssuedToken(f"token-{len(self.calls)}", 900)


def test_a_busy_container_issues_one_token_per_lifetime_not_one_per_call() -> None:
    # Given a worker replying to many residents within a few minutes
    issuer, clock = CountingIssuer(), Clock()
    tokens = StatelessTokens(issuer, clock)
    # When it asks for a token for each call
    seen = set()
    for _ in range(100):
        seen.add(tokens.token("2000000000", SECRET))
        clock.now += 5
    # Then LINE was asked once, and every call used the same token
    assert issuer.calls == [("2000000000", SECRET)]
    assert seen == {"token-1"}


def test_a_token_is_renewed_before_it_expires() -> None:
    issuer, clock = CountingIssuer(), Clock()
    tokens = StatelessTokens(issuer, clock)
    assert tokens.token("2000000000", SECRET) == "token-1"
    # Just before the renewal point the token is kept; at it, a new one is issued
    clock.now += 900 - RENEWAL_MARGIN_SECONDS - 1
    assert tokens.token("2000000000", SECRET) == "token-1"
    clock.now += 1
    assert tokens.token("2000000000", SECRET) == "token-2"


def test_a_new_channel_secret_gets_a_new_token_at_once() -> None:
    # Given staff reissued the channel secret in the LINE console and entered it in Secrets Manager
    issuer, clock = CountingIssuer(), Clock()
    tokens = StatelessTokens(issuer, clock)
    tokens.token("2000000000", SECRET)
    # When the container reads the new secret, then it does not keep using a token of the old one
    assert tokens.token("2000000000", "f" * 32) == "token-2"
    assert issuer.calls[-1] == ("2000000000", "f" * 32)


def test_an_issued_token_never_shows_in_a_repr() -> None:
    assert "secret-token" not in repr(IssuedToken("secret-token", 900))
