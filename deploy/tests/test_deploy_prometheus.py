"""deploy/prometheus: every rule file passes promtool, is unit-tested, and reaches Kubernetes."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY_DIR = Path(__file__).resolve().parents[1]
RULES_DIR = DEPLOY_DIR / "prometheus"
TESTS_DIR = RULES_DIR / "tests"
GENERATOR = DEPLOY_DIR / "tools" / "prometheusrules.py"
RULE_FILES = sorted(RULES_DIR.glob("*.rules.yml"))
RULE_TESTS = sorted([*TESTS_DIR.glob("*.yml"), *TESTS_DIR.glob("*.yaml")])
Document = dict[str, Any]


def _promtool(promtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, *args], capture_output=True, text=True, check=False, timeout=120
    )


def test_there_are_rule_files() -> None:
    assert RULE_FILES, "deploy/prometheus/*.rules.yml: no alert rules at all?"


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=[p.name for p in RULE_FILES])
def test_promtool_accepts_the_rule_file(rule_file: Path, promtool: str) -> None:
    checked = _promtool(promtool, "check", "rules", str(rule_file))
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("test_file", RULE_TESTS, ids=[p.name for p in RULE_TESTS])
def test_promtool_unit_tests_pass(test_file: Path, promtool: str) -> None:
    tested = _promtool(promtool, "test", "rules", str(test_file))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_rule_file_has_promtool_unit_tests() -> None:
    covered = set()
    for test_file in RULE_TESTS:
        document = yaml.safe_load(test_file.read_text()) or {}
        covered |= {(TESTS_DIR / p).resolve() for p in document.get("rule_files", [])}
    untested = [p.name for p in RULE_FILES if p.resolve() not in covered]
    assert not untested, f"no deploy/prometheus/tests/*.yml loads {untested}"


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=[p.name for p in RULE_FILES])
def test_prometheus_rule_object_carries_the_same_rules(
    rule_file: Path, k8s_documents: list[tuple[Path, Document]]
) -> None:
    groups = yaml.safe_load(rule_file.read_text())["groups"]
    stem = rule_file.name.removesuffix(".rules.yml")
    generated = DEPLOY_DIR / "k8s" / "monitoring" / f"{stem}.prometheusrule.yaml"
    carried = [doc for path, doc in k8s_documents if path == generated]
    assert carried, f"{generated.relative_to(DEPLOY_DIR)} is missing; run {GENERATOR.name}"
    (rule,) = carried
    assert rule["kind"] == "PrometheusRule"
    assert rule["spec"]["groups"] == groups, (
        f"{generated.relative_to(DEPLOY_DIR)} differs from {rule_file.name}; regenerate: "
        f"uv run python deploy/tools/{GENERATOR.name}"
    )


def test_every_prometheus_rule_object_has_its_rule_file(
    k8s_documents: list[tuple[Path, Document]],
) -> None:
    all_groups = [yaml.safe_load(p.read_text())["groups"] for p in RULE_FILES]
    orphans = [
        str(path.relative_to(DEPLOY_DIR))
        for path, doc in k8s_documents
        if doc["kind"] == "PrometheusRule" and doc["spec"]["groups"] not in all_groups
    ]
    assert not orphans, f"PrometheusRule objects without a rule file: {orphans}"


def test_generated_monitoring_files_are_up_to_date() -> None:
    checked = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
