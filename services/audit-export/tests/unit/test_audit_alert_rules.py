"""The audit-export alert rules load in Prometheus and fire as their promtool tests expect."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PROMETHEUS = Path(__file__).resolve().parents[4] / "deploy" / "prometheus"
RULES = PROMETHEUS / "audit-export.rules.yml"
TESTS = PROMETHEUS / "tests" / "audit-export.test.yml"


@pytest.fixture(scope="module")
def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("promtool is missing (install Debian `prometheus`: make system-deps)")
        pytest.skip("promtool is not installed")
    return found


def _run(promtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, *args], capture_output=True, text=True, cwd=PROMETHEUS, timeout=120
    )


def test_the_audit_export_alert_rules_are_valid(promtool: str) -> None:
    result = _run(promtool, "check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_audit_export_alerts_fire_exactly_as_their_unit_tests_expect(promtool: str) -> None:
    result = _run(promtool, "test", "rules", str(TESTS))
    assert result.returncode == 0, result.stdout + result.stderr
