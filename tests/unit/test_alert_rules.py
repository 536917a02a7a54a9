"""The Prometheus rules shipped in deploy/prometheus: loaded by its configuration, and each
alert on a metric the worker exports."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

PROMETHEUS = Path(__file__).parents[2] / "deploy" / "prometheus"


def rules() -> list[dict[str, Any]]:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    found: list[dict[str, Any]] = []
    for name in config["rule_files"]:
        for group in yaml.safe_load((PROMETHEUS / name).read_text())["groups"]:
            found += group["rules"]
    return found


def test_failing_workflows_raise_an_alert_that_says_what_to_run() -> None:
    (failing,) = [r for r in rules() if r["alert"] == "B2BWorkflowsFailing"]
    assert failing["expr"] == "max(b2b_workflows_failing) > 0"
    assert failing["for"] == "5m"
    assert "b2b workflows failing" in failing["annotations"]["description"]


def test_every_alert_is_on_an_exported_gauge() -> None:
    exported = (Path(__file__).parents[2] / "worker" / "metrics.py").read_text()
    for rule in rules():
        metrics = re.findall(r"\bb2b_\w+", rule["expr"])
        assert metrics and all(f'"{m}"' in exported for m in metrics), rule["alert"]
