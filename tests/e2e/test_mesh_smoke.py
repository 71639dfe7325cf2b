"""The mesh boots as processes, every service is ready, and events cross Kafka."""

import time
import uuid

import httpx
import pytest

from academy.local.mesh import Mesh, mint
from academy.services import SERVICES

pytestmark = pytest.mark.e2e


def test_every_service_reports_ready_with_database_and_broker(mesh: Mesh) -> None:
    for spec in SERVICES:
        response = httpx.get(f"{mesh.url(spec.name)}/readyz", timeout=5)
        assert response.status_code == 200, (spec.name, response.text)
        assert response.json()["checks"] == {"database": "ok", "broker": "ok"}
        assert httpx.get(f"{mesh.url(spec.name)}/healthz", timeout=5).status_code == 200
        metrics = httpx.get(f"{mesh.url(spec.name)}/metrics", timeout=5).text
        assert "academy_outbox_pending" in metrics


def test_an_event_crosses_from_assessment_through_kafka_into_audit_export(
    mesh: Mesh, admin_token: str, catalogue_in_assessment: None
) -> None:
    operator = f"op-smoke-{uuid.uuid4().hex[:6]}"
    response = httpx.put(
        f"{mesh.url('assessment')}/v1/admin/operators/{operator}/jurisdictions",
        json={"jurisdictions": ["MGA", "GSC"], "reason": "smoke test", "new_operator": True},
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    officer = mint(mesh.url("issuer"), "alice", operator, ["compliance_officer"])
    deadline = time.monotonic() + 60
    entries: list[dict[str, str]] = []
    while time.monotonic() < deadline and not entries:
        log = httpx.get(
            f"{mesh.url('audit-export')}/v1/audit/operators/{operator}/log",
            headers={"Authorization": f"Bearer {officer}"},
            timeout=5,
        )
        assert log.status_code == 200, log.text
        entries = log.json()["entries"]
        time.sleep(0.3)
    assert [e["type"] for e in entries] == ["academy.operator.jurisdictions_set.v1"]


def test_a_foreign_operator_cannot_read_another_operators_audit_log(mesh: Mesh) -> None:
    stranger = mint(mesh.url("issuer"), "mallory", "op-other", ["compliance_officer"])
    response = httpx.get(
        f"{mesh.url('audit-export')}/v1/audit/operators/demo-operator/log",
        headers={"Authorization": f"Bearer {stranger}"},
        timeout=5,
    )
    assert response.status_code == 404
