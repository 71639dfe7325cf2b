"""`academy catalogue publish` against the running mesh: read API and audit log see it."""

import json
import os
import random
import shutil
import string
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from academy.local.mesh import Mesh, mint
from academy.services import SERVICES, service_env
from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain.content import resolve
from contracts import topics

pytestmark = pytest.mark.e2e

JURISDICTION_YAML = """\
code: {code}
name: End-to-end land
regulator: End-to-end Gaming Authority
exam:
  question_count: 20
  pass_mark: 80
  time_limit_minutes: 30
  attempt_limit: 3
  cooldown_hours: 24
  feedback: score
tracks:
  - role: compliance_officer
    modules: [aml-fundamentals, kyc-cdd, transaction-monitoring]
release_policy:
  requirements:
    - role: compliance_officer
  tooling: [e2e-suite]
"""


def _content_with_new_jurisdiction(tmp_path: Path) -> tuple[Path, str]:
    """The bundled content plus a jurisdiction unique to this run, so publishing always emits."""
    code = "E2E" + "".join(random.choices(string.ascii_uppercase, k=6))
    root = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT_DIR, root)
    catalogue_yaml = root / "catalogue.yaml"
    catalogue_yaml.write_text(
        catalogue_yaml.read_text().replace(
            "tooling:\n", "tooling:\n  - id: e2e-suite\n    title: End-to-end tooling\n", 1
        )
    )
    folder = root / "jurisdictions" / code
    folder.mkdir()
    (folder / "jurisdiction.yaml").write_text(JURISDICTION_YAML.format(code=code))
    return root, code


def _publish(mesh: Mesh, directory: Path) -> dict[str, Any]:
    spec = next(s for s in SERVICES if s.name == "catalogue")
    env = service_env(
        spec,
        database_url=str(mesh.database_url),
        kafka=str(mesh.kafka_bootstrap),
        port=mesh.ports.catalogue,
        extra={},
    )
    run = subprocess.run(
        [sys.executable, "-m", "academy", "catalogue", "publish", str(directory), "--json"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    outcome: dict[str, Any] = json.loads(run.stdout)
    return outcome


def _platform_log(mesh: Mesh, token: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    while True:
        page = httpx.get(
            f"{mesh.url('audit-export')}/v1/audit/operators/{topics.PLATFORM_TENANT}/log",
            params={"after": entries[-1]["index"] if entries else -1, "limit": 1000},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert page.status_code == 200, page.text
        batch = page.json()["entries"]
        entries.extend(batch)
        if len(batch) < 1000:
            return entries


def test_published_content_is_served_by_the_catalogue_and_its_events_reach_the_audit_log(
    mesh: Mesh, tmp_path: Path
) -> None:
    content, code = _content_with_new_jurisdiction(tmp_path)
    try:
        outcome = _publish(mesh, content)

        assert outcome["published"] is True
        ours = [
            (e["type"], e["subject"])
            for e in outcome["events"]
            if e["subject"].split(".")[0] == code
        ]
        assert ours == [
            ("academy.jurisdiction.added.v1", code),
            ("academy.track.published.v1", f"{code}.compliance_officer"),
            ("academy.release_policy.published.v1", code),
        ]
        reader = mint(mesh.url("issuer"), "e2e.reader", "op-e2e", ["compliance_officer"])
        auth = {"Authorization": f"Bearer {reader}"}
        listed = httpx.get(f"{mesh.url('catalogue')}/v1/jurisdictions", headers=auth, timeout=10)
        assert listed.status_code == 200, listed.text
        assert listed.json()["catalogue_version"] == outcome["version"]
        assert code in [j["code"] for j in listed.json()["jurisdictions"]]
        track = httpx.get(
            f"{mesh.url('catalogue')}/v1/jurisdictions/{code}/tracks/compliance_officer",
            headers=auth,
            timeout=10,
        )
        assert track.status_code == 200, track.text
        assert track.json()["version"] == resolve(content).track(code, "compliance_officer").version
        assert [m["id"] for m in track.json()["modules"]] == [
            "aml-fundamentals",
            "kyc-cdd",
            "transaction-monitoring",
        ]

        support = mint(mesh.url("issuer"), "sam.support", "academy-vendor", ["academy_support"])
        expected = {e["id"]: e["type"] for e in outcome["events"]}
        deadline = time.monotonic() + 60
        logged: dict[str, str] = {}
        while time.monotonic() < deadline and not expected.items() <= logged.items():
            logged = {e["event_id"]: e["type"] for e in _platform_log(mesh, support)}
            time.sleep(0.5)
        assert expected.items() <= logged.items()
    finally:
        _publish(mesh, BUNDLED_CONTENT_DIR)  # later tests see the bundled catalogue again
