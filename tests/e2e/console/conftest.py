"""The staff console in a real browser: Debian's Chromium driven by Playwright, against the local stack.

    def test_something(console: Console) -> None:
        page = console.sign_in("editor")          # a fresh browser context, signed in through the page
        console.shot(page, "console-home")        # .devstack/screens/console-home.png
        console.api("viewer", "POST", "broadcasts", {...})   # (status, body) with that role's token

The stack is the e2e session's `local_stack` (one `python -m devstack` subprocess); its Cognito pool
and the four dev users come from the template (make local seeds them).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, sync_playwright

from devstack.http_client import http_json

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

REPO_ROOT = Path(__file__).resolve().parents[3]
SCREENS = REPO_ROOT / ".devstack" / "screens"
CHROMIUM = Path(os.environ.get("CIVICLINE_CHROMIUM", "/usr/bin/chromium"))
DEV_PASSWORD = "Civicline-dev-2026!"
ROLES = ("admin", "editor", "exporter", "viewer")
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
# What a page may take to answer: the first call of a function imports its code (seconds on 2 cores).
PAGE_TIMEOUT_MS = 60_000
API_TIMEOUT_SECONDS = 120


# Locally the export's safety lag (120 s in AWS) is shortened, as `make demo` does, so a test need not wait
# two minutes for an application to be exportable. Set before the session's stack starts (it inherits
# this process's environment); only the console's export test relies on it.
os.environ.setdefault("EXPORT_SAFETY_LAG_SECONDS", "3")


def username(role: str) -> str:
    return f"{role}@example.jp"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium for the browser tests")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Console:
    """The console's URL, its users, and what the browser printed (for the PII scan)."""

    stack: LocalStackProcess
    browser: Browser
    browser_log: list[str] = field(default_factory=list)
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"{self.stack.api_url}/staff/"

    def api_url(self, path: str) -> str:
        return f"{self.stack.api_url}/staff/api/{path}"

    def token(self, role: str) -> str:
        """An ID token for the role's dev user, signed in through the API as the page does."""
        if role not in self._tokens:
            status, body = http_json(
                "POST",
                self.api_url("auth/sign-in"),
                {"username": username(role), "password": DEV_PASSWORD},
                timeout=API_TIMEOUT_SECONDS,
            )
            assert status == 200, body
            assert "tokens" in body, (
                f"moto asked for {body.get('challenge')}: the README's local notes are wrong"
            )
            self._tokens[role] = body["tokens"]["idToken"]
        return self._tokens[role]

    def api(
        self, role: str | None, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        bearer = token if token is not None else (self.token(role) if role else None)
        headers = {"authorization": f"Bearer {bearer}"} if bearer else {}
        return http_json(method, self.api_url(path), body, headers, timeout=API_TIMEOUT_SECONDS)

    def new_page(self, viewport: ViewportSize | None = None) -> Page:
        context = self.browser.new_context(
            viewport=viewport or VIEWPORT, locale="ja-JP", accept_downloads=True
        )
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        page = context.new_page()
        page.on("console", self._record)
        page.on("pageerror", lambda error: self.browser_log.append(f"pageerror: {error}"))
        return page

    def _record(self, message: ConsoleMessage) -> None:
        self.browser_log.append(f"{message.type}: {message.text}")

    def sign_in(self, role: str, viewport: ViewportSize | None = None) -> Page:
        page = self.new_page(viewport)
        page.goto(self.url)
        page.get_by_label("ユーザー名（メールアドレス）").fill(username(role))
        page.get_by_label("パスワード", exact=True).fill(DEV_PASSWORD)
        page.get_by_role("button", name="サインイン").click()
        page.locator("#page[data-ready=home]").wait_for()
        return page

    def open(self, page: Page, name: str) -> None:
        """Goes to a page of the console through its menu and waits until it has rendered."""
        page.locator("#page").evaluate("element => delete element.dataset.ready")
        link = page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name=name)
        if page.evaluate("() => location.hash") == link.get_attribute("href"):
            # Already there: a click changes no hash, so the page is drawn again as the page itself does
            page.evaluate("() => window.dispatchEvent(new HashChangeEvent('hashchange'))")
        else:
            link.click()
        page.locator("#page[data-ready]").wait_for()

    def shot(self, page: Page, name: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def refreshed_dashboard(self) -> dict[str, Any]:
        """Takes a new snapshot (it runs in the background) and waits until the dashboard has it.

        The API refuses a refresh within a minute of the last snapshot (429): then it waits its turn.
        """
        _, before = self.api("viewer", "GET", "dashboard")
        for _attempt in range(15):
            status, _ = self.api("viewer", "POST", "dashboard/refresh", {})
            if status != 429:
                break
            time.sleep(5)
        assert status == 202
        for _attempt in range(60):
            _, dashboard = self.api("viewer", "GET", "dashboard")
            if dashboard["asOf"] and dashboard["asOf"] != before["asOf"]:
                return dict(dashboard)
            time.sleep(1)
        raise AssertionError("the dashboard snapshot was not refreshed within a minute")

    def page_errors(self) -> list[str]:
        return [line for line in self.browser_log if line.startswith("pageerror")]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    console = item.funcargs.get("console") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(console, Console) and console.browser_log:
        # What the browser said helps more than a timeout: script errors, failed requests.
        report.sections.append(("browser console", "\n".join(console.browser_log[-40:])))
    return report


@pytest.fixture(scope="session")
def console(local_stack: LocalStackProcess, browser: Browser) -> Console:
    return Console(local_stack, browser)
