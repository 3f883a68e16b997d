"""Section 5, 情報保護対策: one line of the checklist, and the tests cited as its proof.

A line is ✓ only when the template shows the measure and none of its tests failed in the last run
(a test not run is shown as such and does not flip the line). The evidence is written from what was
found, so a ✗ says what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tools.privacy_report.records import TestLine
from tools.privacy_report.test_results import Outcome, TestResults

TEMPLATE_TESTS = "tests/unit/test_template.py::"


@dataclass(frozen=True)
class Check:
    title: str
    found: bool
    evidence: tuple[str, ...]
    tests: tuple[TestLine, ...]

    @property
    def ok(self) -> bool:
        return self.found and all(t.outcome is not Outcome.FAILED for t in self.tests)


def cited(results: TestResults, names: Iterable[str]) -> tuple[TestLine, ...]:
    """The named tests with their last results (a bare name is a test of tests/unit/test_template.py)."""
    ids = [n if "::" in n else TEMPLATE_TESTS + n for n in names]
    return tuple(TestLine(i, results.outcome(i)) for i in dict.fromkeys(ids))
