"""API Gateway's JWT authorizer (HTTP APIs), as the local HttpApi server applies it before a function runs.

The translated template names each route's authorizer in its OpenAPI `security` and describes it under
`components.securitySchemes` (`x-amazon-apigateway-authorizer`, type `jwt`): an issuer and the
audiences (app client ids). As API Gateway does, a request is refused with 401 unless the identity
source (the Authorization header, `Bearer ` optional) holds a JWT that

- is signed (RS256) by a key of the issuer's JWKS: locally moto's, served at
  `<moto>/<user pool id>/.well-known/jwks.json` (moto signs every pool's tokens with one key, so a token
  from another pool passes the signature and is refused by its issuer, as in AWS);
- names the issuer (`iss`) exactly, and one of the audiences in `aud` (ID token) or `client_id` (access);
- has not expired (`exp`), and is not used before `nbf`/`iat`.

The function then sees the claims in `requestContext.authorizer.jwt.claims`, every value a string as
API Gateway writes them: numbers as digits, a list as `[a b]` (so `cognito:groups` arrives as
`"[admin editor]"`, measured on AWS by others and emulated here so role parsing is tested against it).
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

_COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/(?P<pool>[^/]+)$")
CLOCK_SKEW_SECONDS = 0


class Unauthorized(Exception):
    """401: API Gateway answers `{"message":"Unauthorized"}` and never invokes the function."""


@dataclass(frozen=True)
class JwtAuthorizerConfig:
    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_source: str = "$request.header.Authorization"

    @property
    def header(self) -> str:
        prefix = "$request.header."
        if not self.identity_source.startswith(prefix):
            raise ValueError(f"authorizer {self.name}: only header identity sources are emulated")
        return self.identity_source[len(prefix) :].lower()


def authorizer_configs(
    body: Mapping[str, Any], resolve: Callable[[Any], Any]
) -> dict[str, JwtAuthorizerConfig]:
    """The JWT authorizers an HttpApi's OpenAPI body declares, their intrinsics resolved."""
    configs: dict[str, JwtAuthorizerConfig] = {}
    schemes = body.get("components", {}).get("securitySchemes", {})
    for name, scheme in schemes.items():
        authorizer = scheme.get("x-amazon-apigateway-authorizer", {})
        if authorizer.get("type") != "jwt":
            continue
        jwt_config = resolve(authorizer.get("jwtConfiguration", {}))
        audience = jwt_config.get("audience") or []
        configs[name] = JwtAuthorizerConfig(
            name=name,
            issuer=str(jwt_config["issuer"]),
            audience=tuple(str(value) for value in audience),
            identity_source=str(authorizer.get("identitySource", "$request.header.Authorization")),
        )
    return configs


def route_authorizer(operation: Mapping[str, Any]) -> str | None:
    """The authorizer a route's `security` names; None when it has none (or says NONE)."""
    for requirement in operation.get("security") or []:
        for name in requirement:
            if name != "NONE":
                return str(name)
    return None


def moto_jwks_url(moto_url: str) -> Callable[[str], str]:
    """Where moto serves a Cognito issuer's keys (`https://cognito-idp.<region>.amazonaws.com/<pool>`)."""

    def jwks_url(issuer: str) -> str:
        matched = _COGNITO_ISSUER.match(issuer)
        if not matched:
            raise ValueError(f"{issuer} is not a Cognito user pool issuer; only those are emulated")
        return f"{moto_url}/{matched.group('pool')}/.well-known/jwks.json"

    return jwks_url


def _fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - moto on localhost
        return json.loads(response.read())


def claim_string(value: Any) -> str:
    """A claim as API Gateway's payload 2.0 writes it: a string, lists as `[a b]`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + " ".join(claim_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


class JwtAuthorizer:
    """Validates a request's bearer token for one authorizer; answers the claims API Gateway passes on."""

    def __init__(
        self,
        config: JwtAuthorizerConfig,
        jwks_url: Callable[[str], str],
        *,
        fetch: Callable[[str], Any] = _fetch_json,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._jwks_url = jwks_url
        self._fetch = fetch
        self._clock = clock
        self._keys: KeySet | None = None

    def _key_set(self) -> KeySet:
        # Fetched on first use: the pool exists by then (API Gateway caches the JWKS too).
        if self._keys is None:
            self._keys = KeySet.import_key_set(self._fetch(self._jwks_url(self.config.issuer)))
        return self._keys

    def claims(self, headers: Mapping[str, str]) -> dict[str, str]:
        """The token's claims as strings; raises Unauthorized for anything API Gateway would refuse."""
        raw = headers.get(self.config.header, "").strip()
        if raw[:7].lower() == "bearer ":
            raw = raw[7:].strip()
        if not raw:
            raise Unauthorized("no token")
        try:
            keys = self._key_set()
        except (OSError, ValueError, JoseError) as error:
            raise Unauthorized(f"the issuer's keys could not be read: {type(error).__name__}") from None
        try:
            token = jwt.decode(raw, keys, algorithms=["RS256"])
        except (JoseError, ValueError) as error:
            raise Unauthorized(f"token not signed by the issuer's keys: {type(error).__name__}") from None
        claims = dict(token.claims)
        if claims.get("iss") != self.config.issuer:
            raise Unauthorized("issuer does not match")
        audiences = claims.get("aud", claims.get("client_id"))
        given = set(audiences) if isinstance(audiences, list) else {audiences}
        if self.config.audience and not given & set(self.config.audience):
            raise Unauthorized("audience does not match")
        now = self._clock()
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp + CLOCK_SKEW_SECONDS <= now:
            raise Unauthorized("token expired")
        for name in ("nbf", "iat"):
            value = claims.get(name)
            if isinstance(value, int | float) and value - CLOCK_SKEW_SECONDS > now:
                raise Unauthorized(f"token not valid yet ({name})")
        return {name: claim_string(value) for name, value in claims.items()}
