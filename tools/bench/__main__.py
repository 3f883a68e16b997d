"""`make bench`: every benchmark of the project, one summary, one results file."""

from __future__ import annotations

import importlib
import sys

from tools.bench.results import RESULTS_PATH, Measure, write_results

# Each module has run() -> list[Measure]. Listed by name so a missing optional one is reported, not fatal.
BENCHMARKS = [
    "tools.bench.webhook",
    "tools.bench.broadcast",
    "tools.bench.broadcast_fanout",
    "tools.bench.export",
    "tools.bench.console",
]


def main() -> int:
    measures: list[Measure] = []
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name:
                raise
            continue
        print(f"{name.removeprefix('tools.bench.')}:")
        measures.extend(module.run())
    print("\nsummary:")
    for measure in measures:
        print(measure.line())
    write_results(measures)
    print(f"\nwritten to {RESULTS_PATH.relative_to(RESULTS_PATH.parents[1])}")
    return 0 if all(m.meets is not False for m in measures) else 1


if __name__ == "__main__":
    sys.exit(main())
