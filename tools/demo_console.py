"""The demo's last scene: the staff side in a browser, the staff console at /staff/ on the stack's API.

It signs in through the console's API as the page does (Cognito in moto; the JWT authorizer checks the
token before the function runs), takes a dashboard snapshot and reads one figure back.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from devstack.http_client import http_json

if TYPE_CHECKING:
    from tools.demo import Story

DEMO_STAFF = "admin@example.jp"
DEV_STAFF_PASSWORD = "Civicline-dev-2026!"  # noqa: S105 - the local stack's public dev password (README)


def _call(url: str, method: str = "GET", body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return http_json(method, url, body, headers, timeout=120)


def scene_staff_console(story: Story) -> None:
    api = f"{story.stack.api_url}/staff/api"
    story.say(
        f"9. Ward staff do all of this from a browser too: the staff console at {story.stack.console_url}"
    )
    status, _ = _call(f"{api}/dashboard")
    story.say(
        f"   Without signing in, its API answers {status} (API Gateway's JWT authorizer, emulated locally)."
    )
    status, answer = _call(
        f"{api}/auth/sign-in", "POST", {"username": DEMO_STAFF, "password": DEV_STAFF_PASSWORD}
    )
    if status != 200 or "tokens" not in answer:
        raise RuntimeError(f"the console's sign-in answered {status}: {answer}")
    token = answer["tokens"]["idToken"]
    _, me = _call(f"{api}/me", token=token)
    story.say(
        f"   {me['username']} signs in (Cognito; locally moto skips the TOTP step) with the roles "
        f"{', '.join(me['roles'])}; the token stays in the page's memory only."
    )
    _, before = _call(f"{api}/dashboard", token=token)
    _call(f"{api}/dashboard/refresh", "POST", {}, token=token)
    dashboard = before
    for _attempt in range(60):
        _, dashboard = _call(f"{api}/dashboard", token=token)
        if dashboard.get("asOf") and dashboard["asOf"] != before.get("asOf"):
            break
        time.sleep(0.5)
    friends = dashboard["friends"]
    story.say(
        f"   ホーム shows {friends['active']} friends ({friends['blocked']} blocked), "
        f"{dashboard['settingsDone']} with 受信設定 done, counted from a snapshot, never a scan per view."
    )
    story.say(
        "   Open the URL after `make local` and sign in as admin@example.jp / Civicline-dev-2026! to see it."
    )
    story.happened.append(
        f"staff signed in to the console and saw {friends['active']} friends on its dashboard"
    )
