"""Bench processes run thousands of warm invocations: their stdout carries the bench's figures, no EMF."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from tools.bench.broadcast import bench_environment, invoke_quietly


def test_a_warm_bench_sender_prints_no_metrics_however_many_batches_it_sends(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the benches' Powertools settings and a handler recording a metric per batch, as the sender does
    for name, value in bench_environment("http://127.0.0.1:1", "http://127.0.0.1:2").items():
        monkeypatch.setenv(name, value)
    metrics = Metrics()
    metrics.clear_metrics()

    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        metrics.add_metric(name="BatchesSent", unit=MetricUnit.Count, value=1)
        return {}

    container = SimpleNamespace(handler=handler, metrics=metrics)
    # When one warm container handles more batches than a metric holds values (100)
    for _ in range(250):
        invoke_quietly(container, {}, None)
    # Then nothing reached stdout
    assert capsys.readouterr().out == ""
