"""The planner-memory bench runs the real planner over its simulated Scan (it broke once unnoticed)."""

from __future__ import annotations

import math

from tools.bench.broadcast import SCAN_SEGMENTS, synthetic_plan
from tools.bench.broadcast_fanout import active_residents


def test_the_planner_bench_cuts_the_fewest_batches_over_the_simulated_scan() -> None:
    # Given 2,000 simulated residents, some of them blocked
    active = len(active_residents(2000, SCAN_SEGMENTS))
    # When the bench plans a broadcast to everyone over them
    figures = synthetic_plan(2000)
    # Then the planner cut ⌈active/500⌉ batches and measured itself
    assert figures["batches"] == math.ceil(active / 500)
    assert figures["peak_mib"] > 0
