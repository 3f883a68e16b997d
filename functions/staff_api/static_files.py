"""The console's page: files packaged with the function under static/, served on the API's own origin.

Only files under static/ with a known type are served (no directory listing, no path outside it).
`/staff` and `/staff/` are index.html. The page changes with each deploy, so browsers revalidate.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

STATIC_ROOT = Path(__file__).with_name("static")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}
BINARY = {".png", ".ico", ".woff2"}
PAGE_PREFIX = "/staff"


def is_page_path(path: str) -> bool:
    return path == PAGE_PREFIX or (path.startswith(PAGE_PREFIX + "/") and not path.startswith("/staff/api/"))


def _file(path: str, root: Path) -> Path | None:
    relative = path[len(PAGE_PREFIX) :].lstrip("/") or "index.html"
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root.resolve()) or not candidate.is_file():
        return None
    return candidate if candidate.suffix in TYPES else None


def serve(path: str) -> dict[str, Any]:
    """The HTTP API answer (payload 2.0) for a GET of the page's `path`."""
    found = _file(path, STATIC_ROOT)
    if found is None:
        return {
            "statusCode": 404,
            "headers": {"Content-Type": "text/plain; charset=utf-8"},
            "body": "見つかりません。",
            "isBase64Encoded": False,
        }
    data = found.read_bytes()
    binary = found.suffix in BINARY
    return {
        "statusCode": 200,
        "headers": {"Content-Type": TYPES[found.suffix], "Cache-Control": "no-cache"},
        "body": base64.b64encode(data).decode() if binary else data.decode("utf-8"),
        "isBase64Encoded": binary,
    }
