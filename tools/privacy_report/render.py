"""The report as one self-contained HTML page (styles and diagram inline), and optionally a PDF."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tools.privacy_report.glossary import ward_name
from tools.privacy_report.report import REPO_ROOT, Report

TEMPLATES = Path(__file__).resolve().parent / "templates"
OUTCOME_LABELS = {"passed": "合格", "failed": "不合格", "skipped": "省略", "not run": "未実行"}


def _commit() -> str:
    git = shutil.which("git")
    if git is None:
        return ""
    answer = subprocess.run(
        [git, "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return answer.stdout.strip()


def _with_ward_name(logical_id: str) -> str:
    name = ward_name(logical_id)
    return f"{name}（{logical_id}）" if name else logical_id


def _grouped(bookkeeping: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, list[str]]]:
    """store -> what -> attribute names: one line per meaning instead of one per attribute."""
    groups: dict[str, dict[str, list[str]]] = {}
    for store, attributes in bookkeeping.items():
        for name, what in attributes.items():
            groups.setdefault(store, {}).setdefault(what, []).append(name)
    return groups


def render_html(report: Report) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )
    environment.filters["ward"] = _with_ward_name
    return environment.get_template("index.html.j2").render(
        r=report, commit=_commit(), outcome_label=OUTCOME_LABELS, bookkeeping=_grouped(report.bookkeeping)
    )


def write(report: Report, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    index = out_dir / "index.html"
    index.write_text(render_html(report), encoding="utf-8")
    return index


def print_pdf(index: Path) -> Path | None:
    """index.pdf through headless Chromium's own print engine, when Chromium is installed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None
    pdf = index.with_suffix(".pdf")
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            index.resolve().as_uri(),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return pdf
