"""The staff console's page files: CSP-clean, self-contained, tokens in memory, the chart library pinned."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "functions" / "staff_api" / "static"
SCRIPTS = sorted((STATIC / "js").rglob("*.js"))


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script = False
        self._in_script = False
        self.label_for: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        self._in_script = tag == "script"
        if tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script = True


def _page() -> _Page:
    page = _Page()
    page.feed((STATIC / "index.html").read_text(encoding="utf-8"))
    return page


def test_the_page_has_no_inline_script_style_or_handler_so_the_strict_csp_allows_it() -> None:
    page = _page()
    assert not page.inline_script
    for tag, attributes in page.tags:
        assert tag != "style"
        assert "style" not in attributes, tag
        assert not [name for name in attributes if name.startswith("on")], tag
        if tag == "script":
            assert attributes.get("src"), "every script is a file of the page's own origin"


def test_every_file_the_page_loads_is_shipped_with_it_and_none_comes_from_another_origin() -> None:
    for tag, attributes in _page().tags:
        for name in ("src", "href"):
            value = attributes.get(name)
            if not value or value.startswith("#"):
                continue
            assert value.startswith("/staff/"), f"<{tag} {name}={value}> leaves the page's origin"
            assert (STATIC / value.removeprefix("/staff/")).is_file(), value
    for script in SCRIPTS:
        for imported in re.findall(r'from "(\.[^"]+)"', script.read_text(encoding="utf-8")):
            assert (script.parent / imported).resolve().is_file(), f"{script.name} imports {imported}"


def test_every_field_of_the_sign_in_has_a_label() -> None:
    page = _page()
    fields = [attributes for tag, attributes in page.tags if tag in {"input", "select", "textarea"}]
    assert fields
    for attributes in fields:
        assert attributes.get("id") in page.label_for, attributes


def test_tokens_stay_in_memory_and_nothing_from_the_api_is_parsed_as_html() -> None:
    for script in SCRIPTS:
        text = script.read_text(encoding="utf-8")
        for forbidden in (
            "localStorage",
            "sessionStorage",
            "document.cookie",
            "innerHTML",
            "outerHTML",
            "eval(",
        ):
            assert forbidden not in text, f"{script.name} uses {forbidden}"
        assert "insertAdjacentHTML" not in text


def test_the_vendored_chart_library_is_the_pinned_npm_build_with_its_licence() -> None:
    vendor = STATIC / "vendor"
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    pinned = re.search(r"`chart\.umd\.min\.js` \|.*\| ([0-9.]+) \| `([0-9a-f]{64})`", readme)
    assert pinned is not None
    version, sha256 = pinned.groups()
    library = (vendor / "chart.umd.min.js").read_bytes()
    assert hashlib.sha256(library).hexdigest() == sha256
    assert f"Chart.js v{version}".encode() in library[:200]
    assert "MIT License" in (vendor / "chart.js-LICENSE.md").read_text(encoding="utf-8")
    qr = re.search(r"`qrcode\.mjs` \|.*\| ([0-9.]+) \| `([0-9a-f]{64})`", readme)
    assert qr is not None
    module = (vendor / "qrcode.mjs").read_bytes()
    assert hashlib.sha256(module).hexdigest() == qr.group(2)
    assert b"Licensed under the MIT license" in module[:600]
