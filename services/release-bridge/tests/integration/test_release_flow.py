"""From Kafka events to a verified portal webhook, with the bridge running as a service."""

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from conftest import BridgeFactory, MovableClock, ScriptablePortal, enqueue, outbox_events
from contracts import Envelope, encode
from contracts.assessment import CertificationIssued, TrainingState
from contracts.catalogue import ReleasePolicyPublished
from contracts.common import ModuleCompletion, ReleasePolicy, RoleRequirement, TrainingRecord
from release_bridge.adapters.orm import certificates
from release_bridge.adapters.unit_of_work import Units
from release_bridge.domain.policy import HeldCertificate

pytestmark = pytest.mark.integration


async def _publish(bootstrap: str, *envelopes: Envelope[Any]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for envelope in envelopes:
            record = encode(envelope)
            headers = [(k, v.encode()) for k, v in record.headers.items()]
            await producer.send_and_wait(
                record.topic, record.value, key=record.key, headers=headers
            )
    finally:
        await producer.stop()


async def _eventually(check: Callable[[], Awaitable[bool]], timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("condition not met in time")


def _sample(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{series} not exported")


def _training(jurisdiction: str, record: TrainingRecord) -> TrainingState:
    return TrainingState(
        staff_name="Alice Officer",
        staff_email="alice@op.example",
        jurisdiction=jurisdiction,
        regulator="Test regulator",
        role="compliance_officer",
        track_key=f"{jurisdiction}.compliance_officer",
        track_title="Compliance officer",
        track_version=f"{jurisdiction.lower()}-1",
        modules_required=record.modules_required,
        modules_completed=record.modules_completed,
        attempts=1,
        best_score=90,
        pass_mark=80,
        result="pass",
    )


def _certificate(
    operator: str, jurisdiction: str, *, training: TrainingRecord | None = None
) -> Envelope[Any]:
    passed = datetime.now(UTC) - timedelta(minutes=1)
    data = CertificationIssued(
        certificate_id=f"cert-{uuid.uuid4().hex[:8]}",
        staff_id="alice",
        staff_name="Alice Officer",
        role="compliance_officer",
        jurisdiction=jurisdiction,
        track_version=f"{jurisdiction.lower()}-1",
        attempt_id="attempt-1",
        passed_at=passed,
        expires_at=passed + timedelta(days=548),
        verification_code="ABCD",
        training=_training(jurisdiction, training) if training is not None else None,
    )
    return Envelope(data=data, tenantid=operator, source="/academy/assessment")


def _policy(jurisdiction: str) -> Envelope[Any]:
    data = ReleasePolicyPublished(
        policy=ReleasePolicy(
            jurisdiction=jurisdiction,
            requirements=[RoleRequirement(role="compliance_officer")],
            tooling=[f"{jurisdiction.lower()}-licensing-suite"],
        ),
        version="v1",
        catalogue_version="c1",
        published_at=datetime.now(UTC),
    )
    return Envelope(data=data, tenantid="_platform", source="/academy/catalogue")


async def test_certificate_and_policy_events_become_one_verified_release_webhook(
    make_bridge: BridgeFactory, portal: ScriptablePortal, kafka_bootstrap: str
) -> None:
    bridge = make_bridge()
    operator, jurisdiction = f"op-{uuid.uuid4().hex[:6]}", f"K{uuid.uuid4().hex[:6].upper()}"
    await bridge.runtime.start()
    certificate = _certificate(operator, jurisdiction)
    # The certificate arrives before the policy (different topics): the release waits for it.
    await _publish(kafka_bootstrap, certificate, certificate, _policy(jurisdiction))

    async def delivered() -> bool:
        return bool(await outbox_events(bridge, "academy.release.delivered.v1", tenant=operator))

    await _eventually(delivered)

    [decided] = await outbox_events(bridge, "academy.release.decided.v1", tenant=operator)
    received = [r for r in portal.received if r.webhook_id == decided.release_id]
    assert [r.verified for r in received] == [True]
    body = json.loads(received[0].body)
    assert body["data"]["operator_id"] == operator
    assert body["data"]["tooling"] == [f"{jurisdiction.lower()}-licensing-suite"]
    # Other suites' certificates on the shared broker may be delivered too: at least ours.
    async with bridge.client() as client:
        text = (await client.get("/metrics")).text
    delivered = 'outcome="delivered",webhook_type="tooling.released.v1"'
    assert _sample(text, f"release_bridge_deliveries_total{{{delivered}}}") >= 1
    assert _sample(text, "release_bridge_release_latency_seconds_count") >= 1


async def test_training_of_an_issued_certificate_reaches_the_verified_release_webhook(
    make_bridge: BridgeFactory, portal: ScriptablePortal, kafka_bootstrap: str
) -> None:
    bridge = make_bridge()
    operator, jurisdiction = f"op-{uuid.uuid4().hex[:6]}", f"T{uuid.uuid4().hex[:6].upper()}"
    done = datetime(2026, 11, 19, 16, 5, tzinfo=UTC)
    record = TrainingRecord(
        modules_required=["aml", "kyc"],
        modules_completed=[ModuleCompletion(module_id="aml", completed_at=done)],
    )
    await bridge.runtime.start()
    # Certificate first, policy later: the release is decided from the stored row alone.
    await _publish(kafka_bootstrap, _certificate(operator, jurisdiction, training=record))

    async def stored() -> bool:
        async with Units(bridge.runtime)() as unit:
            return bool(await unit.decisions.certificates(operator, jurisdiction))

    await _eventually(stored)
    await _publish(kafka_bootstrap, _policy(jurisdiction))

    async def delivered() -> bool:
        return bool(await outbox_events(bridge, "academy.release.delivered.v1", tenant=operator))

    await _eventually(delivered)

    [decided] = await outbox_events(bridge, "academy.release.decided.v1", tenant=operator)
    [received] = [r for r in portal.received if r.webhook_id == decided.release_id]
    [evidence] = json.loads(received.body)["data"]["evidence"]
    assert received.verified
    assert evidence["training"] == {
        "modules_required": ["aml", "kyc"],
        "modules_completed": [{"module_id": "aml", "completed_at": "2026-11-19T16:05:00Z"}],
    }
    assert [e.training for e in decided.evidence] == [record]


async def test_certificate_without_training_is_stored_as_null_and_read_back_as_none(
    make_bridge: BridgeFactory,
) -> None:
    bridge = make_bridge()
    operator = f"op-{uuid.uuid4().hex[:6]}"
    passed = datetime.now(UTC) - timedelta(minutes=1)
    record = TrainingRecord(
        modules_required=["aml"],
        modules_completed=[ModuleCompletion(module_id="aml", completed_at=passed)],
    )
    held = [
        HeldCertificate(
            certificate_id=f"cert-{operator}-{n}",
            staff_id=f"staff-{n}",
            role="compliance_officer",
            jurisdiction="MGA",
            track_version="mga-1",
            passed_at=passed,
            expires_at=passed + timedelta(days=548),
            training=training,
        )
        for n, training in enumerate([record, None])
    ]
    async with Units(bridge.runtime)() as unit:
        for certificate in held:
            await unit.decisions.save_certificate(operator, certificate)

    async with Units(bridge.runtime)() as unit:
        read = await unit.decisions.certificates(operator, "MGA")
        columns = (
            await unit.session.execute(
                select(certificates.c.training.is_(None))
                .where(certificates.c.operator_id == operator)
                .order_by(certificates.c.certificate_id)
            )
        ).scalars()

    assert read == held
    assert list(columns) == [False, True]


async def test_metric_labels_never_carry_operator_or_webhook_ids(
    make_bridge: BridgeFactory, portal: ScriptablePortal
) -> None:
    bridge = make_bridge()
    ids = [
        webhook_id
        for tenant in ("a", "b", "c")
        for webhook_id in await enqueue(bridge, 1, operator_id=f"op-secret-{tenant}")
    ]
    portal.statuses[:] = [500, 401, 422]
    await bridge.app.state.delivery_worker.run_once()
    await bridge.app.state.reconciler.run_once()

    async with bridge.client() as client:
        text = (await client.get("/metrics")).text

    labels = set(
        re.findall(
            r'(\w+)="',
            "\n".join(line for line in text.splitlines() if line.startswith("release_bridge_")),
        )
    )
    assert labels <= {
        "endpoint",
        "state",
        "status",
        "verdict",
        "outcome",
        "webhook_type",
        "from_state",
        "to_state",
        "action",
        "le",
    }
    assert "op-secret" not in text
    assert not any(webhook_id in text for webhook_id in ids)
    assert f'release_bridge_signature_rejections_total{{endpoint="{bridge.endpoint}"}} 1.0' in text
    assert f'release_bridge_deliveries_parked{{endpoint="{bridge.endpoint}"}} 1.0' in text


async def test_release_unacknowledged_past_its_slo_shows_as_overdue_until_delivered(
    make_bridge: BridgeFactory, portal: ScriptablePortal
) -> None:
    clock = MovableClock()
    bridge = make_bridge(clock=clock, ack_slo_s=300)
    reconciler, metrics = bridge.app.state.reconciler, bridge.app.state.bridge_metrics
    [release] = await enqueue(bridge, 1, at=clock())
    portal.statuses[:] = [503]
    await bridge.app.state.delivery_worker.run_once()

    def gauge(metric: Any) -> float:
        return float(metric.labels(bridge.endpoint)._value.get())

    clock.advance(299)
    await reconciler.run_once()
    within_slo = (gauge(metrics.overdue), gauge(metrics.unacknowledged))
    clock.advance(2)
    await reconciler.run_once()
    past_slo = (gauge(metrics.overdue), gauge(metrics.oldest_age))
    # Back near real time (the portal's library checks the timestamp), past the retry backoff.
    clock.now = datetime.now(UTC) + timedelta(seconds=2)
    await bridge.app.state.delivery_worker.run_once()
    clock.advance(301)
    await reconciler.run_once()

    assert within_slo == (0, 1)
    assert past_slo == (1, 301)
    assert (gauge(metrics.overdue), gauge(metrics.unacknowledged)) == (0, 0)
    assert portal.ids() == [release, release]
