"""SQL statements per pass on the hot path, counted on the engine (round trips cost CPU)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from academy_testkit.statements import counted
from conftest import BridgeFactory, ScriptablePortal, enqueue, outbox_events, statuses
from contracts import Envelope
from contracts.assessment import CertificationIssued
from contracts.catalogue import ReleasePolicyPublished
from contracts.common import ReleasePolicy, RoleRequirement
from release_bridge.adapters.unit_of_work import Units
from release_bridge.entrypoints.consumers import assessment_routes
from release_bridge.service import releases

pytestmark = pytest.mark.integration


def _policy(jurisdiction: str) -> ReleasePolicyPublished:
    return ReleasePolicyPublished(
        policy=ReleasePolicy(
            jurisdiction=jurisdiction,
            requirements=[RoleRequirement(role="compliance_officer")],
            tooling=[f"{jurisdiction.lower()}-licensing-suite"],
        ),
        version="v1",
        catalogue_version="c1",
        published_at=datetime.now(UTC),
    )


def _issued(jurisdiction: str) -> CertificationIssued:
    passed = datetime.now(UTC) - timedelta(minutes=1)
    return CertificationIssued(
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
    )


async def test_a_releasing_certificate_is_decided_in_six_statements(
    make_bridge: BridgeFactory,
) -> None:
    bridge = make_bridge()
    units = Units(bridge.runtime)
    operator, jurisdiction = f"op-{uuid.uuid4().hex[:6]}", f"K{uuid.uuid4().hex[:6].upper()}"
    now = datetime.now(UTC)
    ctx = releases.DecisionContext(endpoint=bridge.endpoint, now=now)
    async with units() as unit:
        await releases.release_policy_published(unit, ctx, _policy(jurisdiction), event_time=now)

    with counted(bridge.runtime.engine) as sent:
        async with units() as unit:
            await releases.certification_issued(
                unit, ctx, _issued(jurisdiction), operator_id=operator, event_time=now
            )

    [decided] = await outbox_events(bridge, "academy.release.decided.v1", tenant=operator)
    assert await statuses(bridge, [decided.release_id]) == ["pending"]
    # Certificate saved then jurisdiction locked; ledger locked under its policy; certificates;
    # ledger saved; outbox; delivery queued (was 8: the lock and the policy read were apart).
    assert len(sent) == 6, "\n".join(sent)


@pytest.mark.parametrize("operators", [1, 20])
async def test_a_run_of_releasing_certificates_costs_the_same_statements_for_any_length(
    make_bridge: BridgeFactory, operators: int
) -> None:
    bridge = make_bridge()
    units = Units(bridge.runtime)
    jurisdiction = f"K{uuid.uuid4().hex[:6].upper()}"
    now = datetime.now(UTC)
    ctx = releases.DecisionContext(endpoint=bridge.endpoint, now=now)
    async with units() as unit:
        await releases.release_policy_published(unit, ctx, _policy(jurisdiction), event_time=now)
    run = [
        Envelope(data=_issued(jurisdiction), tenantid=f"op-{uuid.uuid4().hex[:6]}", source="/t")
        for _ in range(operators)
    ]
    [route] = [
        route
        for route in assessment_routes(endpoint=bridge.endpoint, clock=lambda: now)
        if CertificationIssued in route.models
    ]

    with counted(bridge.runtime.engine) as sent:
        async with units() as unit:
            await route.apply(run, unit)

    decided = [
        event
        for envelope in run
        for event in await outbox_events(
            bridge, "academy.release.decided.v1", tenant=envelope.tenantid
        )
    ]
    assert len(decided) == operators
    assert await statuses(bridge, [d.release_id for d in decided]) == ["pending"] * operators
    # Certificates saved then jurisdictions locked; ledgers locked under their policies;
    # certificates; ledgers saved; outbox; deliveries queued. One by one: 5 per event + 1.
    assert len(sent) == 6, "\n".join(sent)


@pytest.mark.parametrize("webhooks", [1, 10])
async def test_a_round_of_accepted_webhooks_costs_the_same_statements_for_any_size(
    make_bridge: BridgeFactory, portal: ScriptablePortal, webhooks: int
) -> None:
    bridge = make_bridge(delivery_batch_size=20)
    worker = bridge.app.state.delivery_worker
    await enqueue(bridge, 1)
    portal.statuses[:] = [200]
    assert (await worker.run_once()).sent == 1  # the endpoint's breaker row now exists
    ids = await enqueue(bridge, webhooks)
    portal.statuses[:] = [200] * webhooks

    with counted(bridge.runtime.engine) as sent:
        assert (await worker.run_once()).sent == webhooks

    assert await statuses(bridge, ids) == ["delivered"] * webhooks
    delivered = await outbox_events(bridge, "academy.release.delivered.v1")
    assert {d.release_id for d in delivered} >= set(ids)
    # Admit: breaker locked, due deliveries claimed. Record: breaker and deliveries locked,
    # breaker saved, deliveries saved, attempts finished, outbox, held re-driven.
    # Was 6 + 7 per webhook.
    assert len(sent) == 9, "\n".join(sent)
