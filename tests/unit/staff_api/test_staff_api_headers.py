"""Every answer carries the security headers; the page's files come from static/ and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.staff_api_events import http_event, staff_claims
from tests.unit.staff_api.staff_api_fakes import StaffApi

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}


def assert_secure(answer: dict) -> None:
    headers = answer["headers"]
    for name, value in REQUIRED.items():
        assert headers[name] == value, name
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.parametrize(
    "event",
    [
        http_event("GET", "/staff/api/me", claims=staff_claims("viewer@example.jp", "viewer")),
        http_event("GET", "/staff/api/audit", claims=staff_claims("viewer@example.jp", "viewer")),  # 403
        http_event("GET", "/staff/api/me"),  # 401
        http_event("GET", "/staff/api/unknown", claims=staff_claims("viewer@example.jp", "viewer")),  # 404
        http_event("POST", "/staff/api/auth/sign-in", raw_body="{not json"),  # 400
        http_event("GET", "/staff/missing.js"),  # 404
    ],
)
def test_every_answer_carries_the_security_headers(api: StaffApi, event: dict) -> None:
    assert_secure(api.call(event))


def test_api_answers_are_never_cached(api: StaffApi) -> None:
    answer = api.call(http_event("GET", "/staff/api/me", claims=staff_claims("viewer@example.jp", "viewer")))
    assert answer["headers"]["Cache-Control"] == "no-store"


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A static/ of our own (the real page is console-page's; its browser tests cover it)."""
    import static_files

    (tmp_path / "vendor").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>区職員</title>", encoding="utf-8")
    (tmp_path / "vendor" / "chart.umd.min.js").write_text("/* chart */", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "notes.md").write_text("not served", encoding="utf-8")
    monkeypatch.setattr(static_files, "STATIC_ROOT", tmp_path)
    return tmp_path


def test_the_page_is_served_from_the_functions_static_files(api: StaffApi, page: Path) -> None:
    for path in ("/staff", "/staff/"):
        answer = api.call(http_event("GET", path))
        assert answer["statusCode"] == 200
        assert answer["headers"]["Content-Type"] == "text/html; charset=utf-8"
        assert answer["body"] == "<!doctype html><title>区職員</title>"
    script = api.call(http_event("GET", "/staff/vendor/chart.umd.min.js"))
    assert (script["statusCode"], script["headers"]["Content-Type"]) == (
        200,
        "text/javascript; charset=utf-8",
    )
    image = api.call(http_event("GET", "/staff/logo.png"))
    assert image["isBase64Encoded"] is True


def test_files_of_unknown_types_are_not_served(api: StaffApi, page: Path) -> None:
    assert api.call(http_event("GET", "/staff/notes.md"))["statusCode"] == 404


def test_the_page_only_answers_get(api: StaffApi, page: Path) -> None:
    assert api.call(http_event("POST", "/staff/index.html"))["statusCode"] == 405


@pytest.mark.parametrize("path", ["/staff/../app.py", "/staff/%2e%2e/app.py", "/staff/static/../../app.py"])
def test_no_file_outside_static_is_ever_served(api: StaffApi, page: Path, path: str) -> None:
    answer = api.call(http_event("GET", path))
    assert answer["statusCode"] == 404
    assert "lambda_handler" not in answer["body"]
