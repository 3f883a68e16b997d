"""`make privacy-report`: write privacy-report/index.html (and index.pdf where Chromium is installed)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from devstack.sam_template import translate
from tools.privacy_report.render import print_pdf, write
from tools.privacy_report.report import REPO_ROOT, Sources, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.privacy_report", description=__doc__)
    parser.add_argument("--template", type=Path, default=REPO_ROOT / "template.yaml")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "privacy-report")
    parser.add_argument("--results", type=Path, default=Sources().results_dir, help="JUnit XML of make test")
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args(argv)
    report = build(translate(args.template.resolve()), Sources(results_dir=args.results))
    index = write(report, args.out)
    print(f"privacy report: {index}")
    if not args.no_pdf:
        pdf = print_pdf(index)
        print(f"privacy report (PDF): {pdf}" if pdf else "no Chromium: PDF skipped (print the HTML to A4)")
    failing = [c.title for c in report.checks if not c.ok]
    if report.uncatalogued:
        print(f"{len(report.uncatalogued)} stored attribute(s) missing from the catalogue", file=sys.stderr)
    print(f"checklist: {len(report.checks) - len(failing)} ✓, {len(failing)} ✗")
    return 0


if __name__ == "__main__":
    sys.exit(main())
