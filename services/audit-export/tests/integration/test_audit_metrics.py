"""The export metrics the alerts use: failing runs, last success per operator, ingest."""

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from audit_export_harness import (
    DAY0,
    T0,
    Harness,
    RecordingUploader,
    at,
    envelope,
    lesson,
    new_operator,
    target_json,
)

from audit_export.domain.targets import SftpTarget
from audit_export.service.ports import DeliveryError
from audit_export.service.status import refresh_metrics

pytestmark = pytest.mark.integration


def _sample(harness: Harness, name: str, **labels: str) -> float | None:
    value = harness.runtime.registry.get_sample_value(name, labels)
    return None if value is None else float(value)


async def test_failing_and_late_exports_show_in_the_metrics(
    make_harness: Callable[..., Harness],
) -> None:
    operator = new_operator()
    target = SftpTarget(
        host="archive.test",
        username="archive",
        private_key_path=Path("/nonexistent"),
        host_key_fingerprint="SHA256:" + "C" * 43,
        remote_dir="/archive",
    )
    uploader = RecordingUploader()
    harness = make_harness(
        uploader=uploader, sftp_targets=json.dumps({operator: target_json(target)})
    )
    wiring = harness.wiring
    await harness.ingest(envelope(operator, lesson(T0)), at_time=T0)
    uploader.failures = [DeliveryError("unreachable", "down")] * 3
    first_pass = harness.clock.set(at(DAY0 + timedelta(days=1), 2))
    await harness.run_pass(operator)
    async with wiring.workshop.units() as uow:
        await refresh_metrics(uow, wiring.metrics, wiring.targets, without_target=0, now=first_pass)
    failing = _sample(harness, "audit_export_failing_runs")
    waiting_since = _sample(
        harness, "audit_export_last_success_timestamp_seconds", operator_id=operator
    )
    open_days = _sample(harness, "audit_export_open_days", operator_id=operator)

    harness.clock.advance(hours=2)
    await harness.run_pass(operator)
    async with wiring.workshop.units() as uow:
        await refresh_metrics(uow, wiring.metrics, wiring.targets, without_target=0, now=T0)

    assert failing is not None
    assert failing >= 1
    assert waiting_since == first_pass.timestamp()  # no success yet: since the chain began
    assert open_days == 1
    assert (
        _sample(harness, "audit_export_last_success_timestamp_seconds", operator_id=operator)
        == harness.clock.now.timestamp()
    )
    assert _sample(harness, "audit_export_open_days", operator_id=operator) is None
    assert _sample(harness, "audit_export_failures_total", reason="unreachable") == 3
    transport = httpx.ASGITransport(app=harness.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://audit.test") as client:
        exposed = (await client.get("/metrics")).text
    assert "audit_export_log_appended_total 1.0" in exposed
    assert 'audit_export_deliveries_total{outcome="succeeded"} 1.0' in exposed
