"""The staff user pool in moto: created from template.yaml, seeded with one dev user per role.

`make local` and the integration tests both go through here (Provisioner creates the pool, its app
client and groups; `seed_dev_staff` adds the users), so the console signs in locally with the code it
runs in AWS. What differs locally (README, "Staff console"): moto issues tokens without asking for the
TOTP code, and its RevokeToken is added here (moto has GlobalSignOut but no RevokeToken).
"""

from __future__ import annotations

from typing import Any

# One documented dev password for the four dev users (local only; a real pool's users get their own).
DEV_STAFF_PASSWORD = "Civicline-dev-2026!"  # noqa: S105 - the local stack's public dev password
DEV_STAFF_USERS = {
    "admin@example.jp": "admin",
    "editor@example.jp": "editor",
    "exporter@example.jp": "exporter",
    "viewer@example.jp": "viewer",
}
# CloudFormation's UserPool properties that CreateUserPool takes under the same name.
_POOL_SETTINGS = (
    "Policies",
    "MfaConfiguration",
    "AdminCreateUserConfig",
    "AccountRecoverySetting",
    "UsernameConfiguration",
    "UsernameAttributes",
    "AliasAttributes",
    "AutoVerifiedAttributes",
    "DeletionProtection",
    "UserPoolTags",
)
_CLIENT_SETTINGS = (
    "ClientName",
    "GenerateSecret",
    "ExplicitAuthFlows",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "AuthSessionValidity",
    "AccessTokenValidity",
    "IdTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
)


def create_user_pool(cognito: Any, name: str, props: dict[str, Any]) -> dict[str, str]:
    """The pool as the template declares it (MFA with TOTP included); its id, ARN and issuer URL."""
    request = {key: props[key] for key in _POOL_SETTINGS if key in props}
    pool = cognito.create_user_pool(PoolName=props.get("UserPoolName") or name, **request)["UserPool"]
    if "SOFTWARE_TOKEN_MFA" in props.get("EnabledMfas", []):
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool["Id"],
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration=props.get("MfaConfiguration", "OFF"),
        )
    issuer = f"https://cognito-idp.{cognito.meta.region_name}.amazonaws.com/{pool['Id']}"
    provider = issuer.removeprefix("https://")
    return {"Id": pool["Id"], "Arn": pool["Arn"], "ProviderName": provider, "ProviderURL": issuer}


def create_user_pool_client(cognito: Any, props: dict[str, Any]) -> str:
    request = {key: props[key] for key in _CLIENT_SETTINGS if key in props}
    client = cognito.create_user_pool_client(UserPoolId=props["UserPoolId"], **request)["UserPoolClient"]
    return str(client["ClientId"])


def create_group(cognito: Any, props: dict[str, Any]) -> str:
    request = {key: props[key] for key in ("Description", "Precedence", "RoleArn") if key in props}
    cognito.create_group(UserPoolId=props["UserPoolId"], GroupName=props["GroupName"], **request)
    return str(props["GroupName"])


def seed_dev_staff(cognito: Any, pool_id: str) -> list[str]:
    """One confirmed user per role with the dev password (no invitation mail); their usernames."""
    for username, group in DEV_STAFF_USERS.items():
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": username},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=DEV_STAFF_PASSWORD, Permanent=True
        )
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    return list(DEV_STAFF_USERS)


def install_revoke_token() -> None:
    """Teach moto Cognito's RevokeToken: the refresh token, and the user's access tokens of that client,
    stop working (what EnableTokenRevocation does in AWS). Idempotent."""
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import EmptyResult

    if hasattr(CognitoIdpResponse, "revoke_token"):
        return

    def revoke_token(self: Any) -> Any:
        token, client_id = self._get_param("Token"), self._get_param("ClientId")
        for pool in self.backend.user_pools.values():
            issued = pool.refresh_tokens.get(token)
            if issued is None or issued[0] != client_id:
                continue
            pool.refresh_tokens[token] = None
            username = issued[1]
            for access_token, (token_client, user) in list(pool.access_tokens.items()):
                if token_client == client_id and user == username:
                    pool.access_tokens.pop(access_token)
        return EmptyResult()

    CognitoIdpResponse.revoke_token = revoke_token  # type: ignore[attr-defined]
