"""Reading the metrics a handler printed: Powertools Metrics writes CloudWatch EMF lines to stdout."""

from __future__ import annotations

import json


def emf_counts(logs: str) -> dict[str, float]:
    """The metrics of every EMF line in `logs`, summed by name."""
    counts: dict[str, float] = {}
    for line in logs.splitlines():
        if '"_aws"' not in line:
            continue
        emf = json.loads(line)
        for directive in emf["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                values = emf[metric["Name"]]
                total = sum(values) if isinstance(values, list) else values
                counts[metric["Name"]] = counts.get(metric["Name"], 0) + total
    return counts
