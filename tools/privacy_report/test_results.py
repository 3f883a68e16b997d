"""The last `make test` run, read from the JUnit XML files pytest wrote into .test-results/."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not run"


@dataclass(frozen=True)
class TestResults:
    outcomes: dict[str, Outcome]  # "tests/unit/test_template.py::test_name" -> outcome
    runs: dict[str, str]  # file name -> timestamp of the run

    __test__ = False  # a report's data, not a pytest test class

    def outcome(self, node_id: str) -> Outcome:
        return self.outcomes.get(node_id, Outcome.NOT_RUN)


def _node_id(classname: str, name: str) -> str:
    # pytest's JUnit classname is the module's dotted path; parameters follow the name in brackets.
    return f"{classname.replace('.', '/')}.py::{name.split('[', 1)[0]}"


def _case_outcome(case: ET.Element) -> Outcome:
    if case.find("failure") is not None or case.find("error") is not None:
        return Outcome.FAILED
    if case.find("skipped") is not None:
        return Outcome.SKIPPED
    return Outcome.PASSED


def _merge(old: Outcome | None, new: Outcome) -> Outcome:
    """A test with parameters failed if any case failed, passed if any passed and none failed."""
    if old is None:
        return new
    order = [Outcome.FAILED, Outcome.PASSED, Outcome.SKIPPED]
    return min(old, new, key=order.index)


def read_results(directory: Path) -> TestResults:
    outcomes: dict[str, Outcome] = {}
    runs: dict[str, str] = {}
    for path in sorted(directory.glob("*.xml")) if directory.is_dir() else []:
        root = ET.parse(path).getroot()  # noqa: S314
        for suite in root.iter("testsuite"):
            runs[path.name] = suite.get("timestamp", "")
        for case in root.iter("testcase"):
            node_id = _node_id(case.get("classname", ""), case.get("name", ""))
            outcomes[node_id] = _merge(outcomes.get(node_id), _case_outcome(case))
    return TestResults(outcomes, runs)
