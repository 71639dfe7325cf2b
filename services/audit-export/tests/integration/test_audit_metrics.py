"""The export metrics the alerts use: failing runs, last success per operator, ingest."""

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

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
from sqlalchemy import insert, text
from sqlalchemy.dialects import postgresql

from audit_export.adapters.chain_store import _CHAINS, status_snapshot
from audit_export.adapters.orm import export_runs, pack_chains
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


async def test_the_last_success_per_operator_is_the_newest_delivery_read_by_index(
    make_harness: Callable[..., Harness],
) -> None:
    """Each operator's newest delivered run, probed in `ix_export_runs_last_success` per chain
    (the GROUP BY it replaced read every succeeded run, operators x days)."""
    harness = make_harness()
    delivered, chained_only = new_operator(), new_operator()
    runs = [
        (delivered, DAY0, "succeeded", T0 + timedelta(days=1)),
        (delivered, DAY0 + timedelta(days=1), "succeeded", T0 + timedelta(days=2)),
        (delivered, DAY0 + timedelta(days=2), "failed", None),
    ]
    async with harness.runtime.sessions() as session, session.begin():
        await session.execute(
            insert(pack_chains),
            [
                {"operator_id": op, "first_day": DAY0, "registered_at": T0}
                for op in (delivered, chained_only)
            ],
        )
        await session.execute(
            insert(export_runs),
            [
                {"operator_id": op, "day": day, "status": status, "delivered_at": when}
                for op, day, status, when in runs
            ],
        )
    async with harness.runtime.sessions() as session, session.begin():
        snapshot = await status_snapshot(session)
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join((await session.execute(text(f"EXPLAIN {_compiled(_CHAINS)}"))).scalars())

    ours = {delivered, chained_only}  # the database may hold other tests' operators
    last = {op: moment for op, moment in snapshot["last_success"].items() if op in ours}
    assert last == {delivered: T0 + timedelta(days=2)}
    assert ours <= set(snapshot["registered"])
    assert "ix_export_runs_last_success" in plan


def _compiled(statement: Any) -> str:
    return str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
