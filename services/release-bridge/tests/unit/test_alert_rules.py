"""The bridge's Prometheus rules are valid, unit-tested by promtool, and use its metrics.

Every alert's runbook (docs/runbooks/) is checked with the mesh's in deploy/tests/test_runbooks.py.
"""

import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry, generate_latest

from release_bridge.adapters.metrics import BridgeMetrics

ROOT = Path(__file__).resolve().parents[4]
RULES = ROOT / "deploy" / "prometheus" / "release-bridge.rules.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "tests" / "release-bridge.test.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "release-bridge.json"
REQUIRED = {
    "ReleaseBridgeBreakerOpen",
    "ReleaseBridgeSignatureRejected",
    "ReleaseBridgeReleaseUnacknowledged",
    "ReleaseBridgeDeliveriesParked",
    "ReleaseBridgeConsumerLag",
    "ReleaseBridgeDown",
}


def promtool() -> str:
    """promtool, or a skip outside CI (under CI=true a missing promtool fails the suite)."""
    found = shutil.which("promtool")
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("promtool is missing in CI: `make test` installs Debian package prometheus")
    pytest.skip("promtool not installed (run `make system-deps` or apt-get install prometheus)")


def _alerts() -> list[dict[str, object]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]


def test_rules_pass_promtool_check() -> None:
    result = subprocess.run(
        [promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_rules_pass_their_promtool_unit_tests() -> None:
    result = subprocess.run(
        [promtool(), "test", "rules", str(RULE_TESTS)],
        capture_output=True,
        text=True,
        check=False,
        cwd=RULE_TESTS.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_issue_alert_exists_and_is_unit_tested() -> None:
    names = {str(rule["alert"]) for rule in _alerts()}
    tested = set(re.findall(r"alertname: (\w+)", RULE_TESTS.read_text()))
    assert names >= REQUIRED
    assert names == tested


def _exported_series() -> set[str]:
    """Every series name the bridge's metrics can produce, from their exposition."""
    registry = CollectorRegistry()
    BridgeMetrics(registry, endpoint="portal", ack_slo=timedelta(minutes=5))
    names: set[str] = set()
    for name, kind in re.findall(r"^# TYPE (\w+) (\w+)$", generate_latest(registry).decode(), re.M):
        suffixes = {"histogram": ("_bucket", "_count", "_sum"), "counter": ("_total",)}
        names |= {name} | {name.removesuffix("_total") + s for s in suffixes.get(kind, ())}
    return names


def test_dashboard_charts_only_metrics_the_bridge_exports() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    used = set(re.findall(r"release_bridge_\w+", json.dumps(dashboard)))
    assert used
    assert used <= _exported_series(), used - _exported_series()


def test_alert_rules_use_only_metrics_the_bridge_exports() -> None:
    used = set(re.findall(r"release_bridge_\w+", RULES.read_text()))
    assert used
    assert used <= _exported_series(), used - _exported_series()
