"""リッチメニュー in the browser: an editor switches 通常 → 防災, confirmed; LINE's default follows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest
from tests.e2e.console.conftest import REPO_ROOT, Console
from tests.e2e.console.residents import Settings, new_user_id, seed

from civicline.models.language import Language
from civicline.richmenu.definition import MenuKey, rich_menus

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e


def _line_get(stack: LocalStackProcess, path: str) -> Any:
    request = urllib.request.Request(  # noqa: S310 - the fake LINE on localhost
        f"{stack.line_url}{path}", headers={"Authorization": f"Bearer {stack.channel_access_token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.load(response)


def _default_menu_name(stack: LocalStackProcess) -> str:
    default = _line_get(stack, "/v2/bot/user/all/richmenu")["richMenuId"]
    menus = _line_get(stack, "/v2/bot/richmenu/list")["richmenus"]
    return str(next(menu["name"] for menu in menus if menu["richMenuId"] == default))


def _menu_of(stack: LocalStackProcess, user_id: str) -> str | None:
    try:
        return str(_line_get(stack, f"/v2/bot/user/{user_id}/richmenu")["richMenuId"])
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def _language_menu(stack: LocalStackProcess, language: Language, mode: MenuKey) -> str:
    return str(
        _line_get(stack, f"/v2/bot/richmenu/alias/{rich_menus(language)[mode].alias_id}")["richMenuId"]
    )


def _wait_for_links(stack: LocalStackProcess, expected: dict[str, str], timeout: float = 30.0) -> None:
    """RichMenuRelinkFunction runs asynchronously after the switch answered: wait until LINE shows it."""
    deadline = time.monotonic() + timeout
    while {user: _menu_of(stack, user) for user in expected} != expected:
        assert time.monotonic() < deadline, "the residents of other languages were not relinked"
        time.sleep(0.2)


def _deploy_rich_menus(stack: LocalStackProcess) -> None:
    """`make richmenu` against the fake LINE: both menus, 通常 by default."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(REPO_ROOT / part) for part in ("layers/civicline", ".")),
        "LINE_CHANNEL_ACCESS_TOKEN": stack.channel_access_token,
    }
    subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "staff.richmenu.deploy", "--mode", "normal", "--line-host", stack.line_url],
        check=True,
        capture_output=True,
        env=env,
        cwd=REPO_ROOT,
    )


def test_an_editor_switches_the_rich_menu_to_disaster_mode_and_lines_default_changes(
    console: Console, local_stack: LocalStackProcess
) -> None:
    # Given both rich menus deployed, 通常 the default, and residents reading English and Vietnamese
    _deploy_rich_menus(local_stack)
    normal = _default_menu_name(local_stack)
    readers = {new_user_id(0x4D): Language.EN, new_user_id(0x4D): Language.VI}
    seed(local_stack, {user: Settings(language=lang.value) for user, lang in readers.items()})
    # When an editor opens リッチメニュー
    page = console.sign_in("editor")
    console.open(page, "リッチメニュー")
    assert page.locator("#richmenu-mode").get_attribute("data-mode") == "normal"
    # And switches to 防災 and confirms
    page.get_by_role("button", name="防災モードに切り替える").click()
    dialog = page.get_by_role("dialog", name="リッチメニューの切り替え")
    console.shot(page, "console-richmenu-confirm")
    dialog.get_by_role("button", name="防災に切り替える").click()
    page.get_by_text("リッチメニューを「防災」に切り替えました").wait_for()
    # Then the page shows 防災, and LINE's default menu for every friend changed
    page.locator("#richmenu-mode[data-mode=disaster]").wait_for()
    assert _default_menu_name(local_stack) != normal
    # And the residents reading English and Vietnamese are relinked to their language's 防災 menu, which
    # the page shows once done
    _wait_for_links(
        local_stack, {user: _language_menu(local_stack, lang, "disaster") for user, lang in readers.items()}
    )
    console.open(page, "リッチメニュー")
    page.locator("#richmenu-relink[data-status=done]").wait_for()
    console.shot(page, "console-richmenu")
    # When they switch back
    page.get_by_role("button", name="通常モードに戻す").click()
    page.get_by_role("dialog", name="リッチメニューの切り替え").get_by_role(
        "button", name="通常に切り替える"
    ).click()
    page.locator("#richmenu-mode[data-mode=normal]").wait_for()
    assert _default_menu_name(local_stack) == normal
    # And they see their language's normal menu again
    _wait_for_links(
        local_stack, {user: _language_menu(local_stack, lang, "normal") for user, lang in readers.items()}
    )
    page.context.close()


def test_a_viewer_sees_the_mode_but_cannot_switch_it(console: Console) -> None:
    page = console.sign_in("viewer")
    console.open(page, "リッチメニュー")
    assert page.get_by_role("button", name="防災モードに切り替える").count() == 0
    status, _ = console.api("viewer", "PUT", "richmenu", {"mode": "disaster"})
    assert status == 403
    page.context.close()
