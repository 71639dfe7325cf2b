"""Signature rejection: the breaker opens after N, the alert expressions are true, and fixing
the secret plus a breaker reset through the CLI delivers everything that was held."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from test_release_faults import (
    BRIDGE,
    RULES,
    _all_delivered,
    _all_unlocked,
    _certify,
    _deliveries,
    _metric,
    _restart,
    _scenario,
    _sql,
    _support_token,
    _wait,
    bridge,  # noqa: F401 - the fixture
)

from academy.local.mesh import Mesh
from release_bridge.domain.signing import WebhookSecret

pytestmark = pytest.mark.e2e


def _breaker_status(database_url: str) -> str:
    [row] = _sql(
        database_url, "SELECT status FROM release_bridge.breakers WHERE endpoint = 'portal'"
    )
    return str(row["status"])


def _expression_holds(tmp: Path, alert: str, series: dict[str, str], value: float) -> None:
    """Evaluate the alert rule's own PromQL over series built from scraped /metrics values."""
    promtool = shutil.which("promtool")
    if promtool is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("promtool is missing in CI (make test installs Debian prometheus)")
        pytest.skip("promtool not installed: the alert expression cannot be evaluated")
    rules = yaml.safe_load(RULES.read_text())
    expr = next(r["expr"] for g in rules["groups"] for r in g["rules"] if r.get("alert") == alert)
    case = {
        "interval": "1m",
        "input_series": [{"series": name, "values": values} for name, values in series.items()],
        "promql_expr_test": [
            {
                "expr": expr,
                "eval_time": "5m",
                "exp_samples": [{"labels": '{endpoint="portal"}', "value": value}],
            }
        ],
    }
    test_file = tmp / f"{alert}.test.yml"
    test_file.write_text(yaml.safe_dump({"rule_files": [str(RULES)], "tests": [case]}))
    result = subprocess.run(
        [promtool, "test", "rules", str(test_file)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{alert} expression not true:\n{result.stdout}{result.stderr}"


def test_rejected_signature_opens_the_breaker_and_fixing_the_secret_plus_reset_delivers_all(
    bridge: Mesh,  # noqa: F811
    kafka_bootstrap: str,
    database_url: str,
    tmp_path: Path,
) -> None:
    child, key = bridge.children[BRIDGE], "RELEASE_BRIDGE_PORTAL_WEBHOOK_SECRET"
    good_secret, url = child.env[key], bridge.url(BRIDGE)
    rejections = 'release_bridge_signature_rejections_total{endpoint="portal"}'
    jurisdiction, operators = _scenario(bridge, kafka_bootstrap, 4)
    child.env[key] = WebhookSecret.generate().encoded()  # the bridge signs with a wrong secret
    try:
        _restart(bridge, sig=signal.SIGTERM)
        before = _metric(url, rejections)
        for held in (1, 2, 3):  # one at a time, so the breaker's count is exact
            _certify(kafka_bootstrap, jurisdiction, operators[held - 1])
            _wait(
                lambda n=held: (
                    [r["status"] for r in _deliveries(database_url, jurisdiction)] == ["held"] * n
                ),
                f"{held} held deliveries",
            )
        assert _breaker_status(database_url) == "open"
        _certify(kafka_bootstrap, jurisdiction, operators[3])
        _wait(lambda: len(_deliveries(database_url, jurisdiction)) == 4, "fourth decision")
        time.sleep(2)  # time in which a blind retry would have happened
        rows = _deliveries(database_url, jurisdiction)
        assert [(r["status"], r["attempts"]) for r in rows] == [("held", 1)] * 3 + [("pending", 0)]
        after = _metric(url, rejections)
        open_now = _metric(url, 'release_bridge_breaker_state{endpoint="portal",state="open"}')
        assert (before, after, open_now) == (0, 3, 1)
        labels = 'endpoint="portal",instance="bridge",job="release-bridge"'
        _expression_holds(
            tmp_path,
            "ReleaseBridgeSignatureRejected",
            {f"release_bridge_signature_rejections_total{{{labels}}}": f"{before} {after}x10"},
            after - before,
        )
        _expression_holds(
            tmp_path,
            "ReleaseBridgeBreakerOpen",
            {f'release_bridge_breaker_state{{{labels},state="open"}}': f"{open_now}x10"},
            1,
        )
    finally:
        child.env[key] = good_secret
    _restart(bridge, sig=signal.SIGTERM)  # the secret is fixed; the breaker state survived
    assert _breaker_status(database_url) == "open"

    reset = subprocess.run(
        [
            sys.executable,
            "-m",
            "academy",
            "release",
            "breaker",
            "reset",
            "--reason",
            "webhook secret fixed",
            "--url",
            url,
            "--token",
            _support_token(bridge),
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert reset.returncode == 0, reset.stderr
    unlocks = _all_unlocked(bridge, jurisdiction, operators)
    assert [unlocks[op]["times_unlocked"] for op in operators] == [1, 1, 1, 1]
    assert [r["attempts"] for r in _all_delivered(database_url, jurisdiction, 4)] == [2, 2, 2, 1]
    causes = _sql(
        database_url,
        "SELECT convert_from(payload, 'UTF8')::jsonb ->> 'cause' AS cause "
        "FROM release_bridge.outbox "
        "WHERE headers ->> 'ce_type' = 'academy.breaker.transitioned.v1' "
        "ORDER BY id DESC LIMIT 2",
    )
    assert [c["cause"] for c in causes] == ["manual_reset", "signature_rejections"]
