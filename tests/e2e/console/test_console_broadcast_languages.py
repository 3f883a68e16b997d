"""配信 in every language: an editor adds English and Vietnamese versions beside the Japanese messages,
sees the audience per language with the version each receives, sends, and each resident receives their
language's version (or Japanese, the fallback when there is no やさしい日本語 version)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
from tests.e2e.console.conftest import Console
from tests.e2e.console.residents import Settings, all_residents, new_user_id, seed

if TYPE_CHECKING:
    from tests.e2e.conftest import LocalStackProcess

pytestmark = pytest.mark.e2e

BORN = 1931  # no other console test seeds a resident born this year: the segment is theirs alone
READERS = {
    new_user_id(0x1A): Settings(BORN, language="ja"),
    new_user_id(0x1A): Settings(BORN, language="en"),
    new_user_id(0x1A): Settings(BORN, language="en"),
    new_user_id(0x1A): Settings(BORN, language="vi"),
    new_user_id(0x1A): Settings(BORN, language="ko"),  # no Korean version: Japanese
    new_user_id(0x1A): Settings(BORN, language="ja-easy"),  # no やさしい日本語 version: Japanese
    new_user_id(0x1A): Settings(BORN, language="ne"),  # excluded by the language condition
    new_user_id(0x1A): Settings(BORN, language="en", blocked=True),
}


def test_an_editor_sends_japanese_english_and_vietnamese_versions_and_each_resident_gets_theirs(
    console: Console, local_stack: LocalStackProcess
) -> None:
    # Given residents born in 1931 reading Japanese, English, Vietnamese, Korean, やさしい日本語, Nepali
    seed(local_stack, READERS)
    born = [
        item
        for item in all_residents(local_stack)
        if item.get("birthYear", {}).get("N") == str(BORN) and item["status"]["S"] == "active"
    ]
    language_of = {item["userId"]["S"]: item.get("language", {}).get("S", "ja") for item in born}
    tag = uuid.uuid4().hex[:6]
    texts = {
        "ja": f"防災訓練のお知らせ（{tag}）",
        "en": f"Disaster drill notice ({tag})",
        "vi": f"Thông báo diễn tập phòng chống thiên tai ({tag})",
    }
    # When an editor composes the Japanese message and adds English and Vietnamese versions
    page = console.sign_in("editor", viewport={"width": 1024, "height": 768})
    console.open(page, "配信")
    compose = page.get_by_role("region", name="新しい配信")
    compose.get_by_label("件名（職員用、住民には送られません）").fill(f"多言語の防災訓練 {tag}")
    compose.locator(".messages[data-version=ja]").get_by_label("本文").fill(texts["ja"])
    for code, name in (("en", "英語"), ("vi", "ベトナム語")):
        compose.get_by_role("button", name=f"＋ {name}版").click()
        editor = compose.locator(f"fieldset.version[data-version={code}]")
        assert editor.locator("legend").first.inner_text() == f"{name}版"
        editor.get_by_label("本文").fill(texts[code])
    # And segments by birth year and by language (every language but Nepali)
    include = compose.locator("[data-block=seg]")
    include.get_by_label("生まれ年で指定").check()
    include.get_by_label("生まれ年（から）").fill(str(BORN))
    include.get_by_label("生まれ年（まで）").fill(str(BORN))
    languages = include.locator("fieldset", has_text="言語（LINE で使っている言語）")
    for name in ("日本語", "やさしい日本語", "英語", "ベトナム語", "韓国語"):
        languages.get_by_label(name, exact=True).check()
    expected = {user: lang for user, lang in language_of.items() if lang != "ne"}
    # Then the dry run shows the audience, and per language the version each will receive
    page.locator(f"#audience-count[data-value='{len(expected)}']").wait_for()
    by_language = page.locator("#audience-by-language-table")
    rows = {
        cells[0]: (cells[1], cells[2])
        for cells in (
            row.locator("th, td").all_inner_texts() for row in by_language.locator("tbody tr").all()
        )
    }
    assert rows == {
        "日本語": ("1", "日本語版"),
        "やさしい日本語": ("1", "日本語版"),
        "英語": ("2", "英語版"),
        "韓国語": ("1", "日本語版"),
        "ベトナム語": ("1", "ベトナム語版"),
    }
    without = page.locator("#languages-without-version").inner_text()
    assert "韓国語" in without
    assert "英語" not in without.replace("日本語", "")
    assert "（日本語版を送ります）" in without
    # And the preview shows each version's messages as LINE bubbles
    for code, name in (("ja", "日本語版"), ("en", "英語版"), ("vi", "ベトナム語版")):
        page.get_by_label("プレビューする版").select_option(label=name)
        assert page.locator("#line-preview .bubble").first.inner_text() == texts[code]
    page.get_by_label("プレビューする版").select_option(label="英語版")
    console.shot(page, "console-broadcast-languages")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1024
    # When they send it now and confirm
    page.get_by_role("button", name="今すぐ配信").click()
    dialog = page.get_by_role("dialog", name="配信の確認")
    assert f"{len(expected)} 人" in dialog.inner_text()
    dialog.get_by_role("button", name="配信する").click()
    page.get_by_text("配信を開始しました").wait_for()
    assert local_stack.wait_until_idle(120)
    # Then the fake LINE's records show each resident received their language's version, else Japanese
    received: dict[str, list[str]] = {}
    for request in local_stack.line_requests("/v2/bot/message/multicast"):
        for version, text in texts.items():
            if any(message.get("text") == text for message in request["body"]["messages"]):
                for user in request["body"]["to"]:
                    received.setdefault(user, []).append(version)
    assert received == {user: [lang if lang in texts else "ja"] for user, lang in expected.items()}
    page.context.close()
