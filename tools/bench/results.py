"""One shape for every benchmark figure, so any of them is read the same way."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS_PATH = Path(__file__).resolve().parents[2] / ".bench" / "results.json"


@dataclass(frozen=True)
class Measure:
    name: str
    value: float
    unit: str
    goal: str  # human-readable, e.g. "<= 1.5"
    meets: bool | None  # None where the figure is informative only

    def line(self) -> str:
        verdict = {True: "meets", False: "MISSES", None: ""}[self.meets]
        return f"  {self.name:<36} {self.value:>12.3f} {self.unit:<10} goal {self.goal:<14} {verdict}"


def write_results(measures: list[Measure], path: Path = RESULTS_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(m) for m in measures], ensure_ascii=False, indent=2) + "\n")
