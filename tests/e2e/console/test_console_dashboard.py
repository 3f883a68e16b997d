"""ホーム in the browser: the figures and charts every role sees are what the tables hold."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
from tests.e2e.console.conftest import ROLES, Console
from tests.e2e.console.residents import Settings, all_residents, new_user_id, seed

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e

RESIDENTS = {
    new_user_id(0xD0): Settings(1948, "female", "yotsuya", ("kenko", "koreisha")),
    new_user_id(0xD0): Settings(1983, "male", "okubo", ("kosodate",)),
    new_user_id(0xD0): Settings(1991, "other", "outside", ()),
    new_user_id(0xD0): Settings(None, None, None, ()),
    new_user_id(0xD0): Settings(1975, "female", "tansu", ("bousai",), blocked=True),
}
SETTINGS = ("birthYear", "gender", "area", "genres")


@pytest.fixture(scope="module")
def dashboard(console: Console, local_stack: LocalStackProcess) -> dict[str, Any]:
    # Residents who followed, answered 受信設定 (or not), one of them blocked since; then a snapshot
    seed(local_stack, RESIDENTS)
    return console.refreshed_dashboard()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_dashboard_figures_the_users_table_holds(
    console: Console, local_stack: LocalStackProcess, dashboard: dict[str, Any], role: str
) -> None:
    # Given residents with their 受信設定 and a snapshot taken since (the fixture)
    items = all_residents(local_stack)
    active = [item for item in items if item["status"]["S"] == "active"]
    expected_areas = Counter(item.get("area", {}).get("S", "unanswered") for item in active)
    # When a member of staff opens ホーム
    page = console.sign_in(role)
    # Then the figures are the table's counts
    figures = {
        name: int(page.locator(f"#{name}").get_attribute("data-value") or -1)
        for name in ("kpi-active", "kpi-blocked", "kpi-settings")
    }
    assert figures == {
        "kpi-active": len(active),
        "kpi-blocked": sum(1 for item in items if item["status"]["S"] == "blocked"),
        "kpi-settings": sum(1 for item in active if any(name in item for name in SETTINGS)),
    }
    # And the chart by area draws the same numbers (its table of figures)
    area_labels = dashboard["labels"]["areas"]
    drawn = {
        (row.locator("th").text_content() or ""): int(row.locator("td").get_attribute("data-value") or -1)
        for row in page.locator("#chart-area-table tbody tr").all()
    }
    assert drawn == {area_labels.get(code, "未回答"): n for code, n in expected_areas.items()}
    # And the charts were drawn by the shipped Chart.js, with no script error
    assert page.evaluate("() => typeof window.Chart") == "function"
    assert page.locator("#chart-area canvas").get_attribute("width") is not None
    assert console.page_errors() == []
    if role == "admin":
        console.shot(page, "console-home")
    if role == "viewer":
        page.set_viewport_size({"width": 1024, "height": 768})
        console.shot(page, "console-home-1024")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1024
    page.context.close()
