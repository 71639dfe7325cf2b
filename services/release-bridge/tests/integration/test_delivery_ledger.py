"""Deliveries against real Postgres and a real HTTP portal verifying with `standardwebhooks`."""

import asyncio
from datetime import timedelta

import pytest

from academy_testkit.issuer import DevIssuer
from conftest import (
    SECRET,
    BridgeFactory,
    MovableClock,
    ScriptablePortal,
    bearer,
    drain,
    enqueue,
    outbox_events,
    statuses,
)
from release_bridge.adapters import read_models
from release_bridge.adapters.unit_of_work import Units
from release_bridge.domain.signing import WebhookSecret

pytestmark = pytest.mark.integration


async def _ledger(bridge_runtime, webhook_id: str) -> dict:  # type: ignore[no-untyped-def]
    async with bridge_runtime.sessions() as session:
        found = await read_models.delivery_with_attempts(session, webhook_id)
    assert found is not None
    return found


async def test_every_attempt_is_in_the_ledger_with_status_latency_and_excerpt(
    make_bridge: BridgeFactory, portal: ScriptablePortal
) -> None:
    clock = MovableClock()
    bridge = make_bridge(clock=clock)
    [webhook_id] = await enqueue(bridge, 1, at=clock())
    portal.statuses[:] = [503, 204]

    await bridge.app.state.delivery_worker.run_once()
    clock.advance(2)  # past the largest backoff (retry cap 1 s)
    await bridge.app.state.delivery_worker.run_once()

    ledger = await _ledger(bridge.runtime, webhook_id)
    attempts = ledger["attempts"]
    assert [(a["attempt"], a["status_code"], a["verdict"], a["next_step"]) for a in attempts] == [
        (1, 503, "retryable", "retry"),
        (2, 204, "delivered", "delivered"),
    ]
    assert attempts[0]["response_excerpt"] == "scripted 503"
    assert all(a["latency_ms"] > 0 and a["finished_at"] for a in attempts)
    assert ledger["status"] == "delivered"
    assert [r.verified for r in portal.received] == [True, True]
    assert [r.webhook_id for r in portal.received] == [webhook_id, webhook_id]
    [delivered] = await outbox_events(bridge, "academy.release.delivered.v1", subject=webhook_id)
    assert (delivered.attempts, delivered.status_code) == (2, 204)


async def test_network_failure_is_recorded_with_its_error_kind(make_bridge: BridgeFactory) -> None:
    bridge = make_bridge(portal_webhook_url="http://127.0.0.1:9/closed")
    [webhook_id] = await enqueue(bridge, 1)

    await bridge.app.state.delivery_worker.run_once()

    [attempt] = (await _ledger(bridge.runtime, webhook_id))["attempts"]
    assert (attempt["status_code"], attempt["error_kind"], attempt["next_step"]) == (
        None,
        "connect",
        "retry",
    )
    assert attempt["error"].startswith("ClientConnectorError: Cannot connect to host 127.0.0.1:9")


async def test_two_workers_on_one_database_never_send_the_same_delivery(
    make_bridge: BridgeFactory, portal: ScriptablePortal
) -> None:
    first = make_bridge(delivery_batch_size=3)
    second = make_bridge(delivery_batch_size=3)
    ids = await enqueue(first, 12)
    portal.delay_s = 0.1

    for _ in range(10):
        rounds = await asyncio.gather(
            first.app.state.delivery_worker.run_once(), second.app.state.delivery_worker.run_once()
        )
        if not any(r.sent for r in rounds):
            break

    assert sorted(portal.ids()) == sorted(ids)
    assert await statuses(first, ids) == ["delivered"] * 12


async def test_lease_of_a_crashed_worker_expires_and_the_webhook_goes_out_again_under_its_id(
    make_bridge: BridgeFactory, portal: ScriptablePortal
) -> None:
    clock = MovableClock()
    bridge = make_bridge(clock=clock)
    [webhook_id] = await enqueue(bridge, 1, at=clock())
    async with Units(bridge.runtime)() as unit:  # a worker claims it, then dies
        [claim] = await unit.deliveries.claim_due(
            endpoint=bridge.endpoint,
            now=clock(),
            limit=5,
            lease_until=clock() + timedelta(seconds=bridge.settings.delivery_lease_s),
            include_held=False,
            replica="crashed",
        )
    assert claim.webhook_id == webhook_id

    clock.advance(bridge.settings.delivery_lease_s + 1)
    await drain(bridge)

    attempts = (await _ledger(bridge.runtime, webhook_id))["attempts"]
    assert [(a["replica"], a["next_step"]) for a in attempts] == [
        ("crashed", "abandoned"),
        (attempts[1]["replica"], "delivered"),
    ]
    assert portal.ids() == [webhook_id]


async def test_a_revocation_is_not_sent_before_the_release_it_follows_is_delivered(
    make_bridge: BridgeFactory, portal: ScriptablePortal
) -> None:
    clock = MovableClock()
    bridge = make_bridge(clock=clock)
    [release] = await enqueue(bridge, 1, operator_id="op-order", at=clock())
    [revocation] = await enqueue(
        bridge, 1, operator_id="op-order", webhook_type="tooling.revoked.v1", at=clock()
    )
    portal.statuses[:] = [500]

    await bridge.app.state.delivery_worker.run_once()
    clock.advance(2)
    await drain(bridge)

    assert portal.ids() == [release, release, revocation]


async def test_signature_rejections_are_held_until_the_breaker_is_reset_then_all_delivered(
    make_bridge: BridgeFactory, portal: ScriptablePortal, issuer: DevIssuer
) -> None:
    bridge = make_bridge(delivery_batch_size=1)
    ids = await enqueue(bridge, 4)
    portal.secret = WebhookSecret.generate().encoded()  # the portal expects another secret
    try:
        await drain(bridge)
        assert await statuses(bridge, ids) == ["held", "held", "held", "pending"]
        assert len(portal.received) == 3
        async with Units(bridge.runtime)() as unit:
            assert (await unit.breakers.lock(bridge.endpoint)).status == "open"
    finally:
        portal.secret = SECRET.encoded()  # the secret is fixed ...
    async with bridge.client() as client:  # ... and support resets the breaker
        response = await client.post(
            f"/v1/support/breakers/{bridge.endpoint}/reset",
            json={"reason": "portal secret fixed"},
            headers=bearer(issuer, "academy_support"),
        )
    assert response.status_code == 200, response.text
    await drain(bridge)

    assert await statuses(bridge, ids) == ["delivered"] * 4
    transitions = await outbox_events(bridge, "academy.breaker.transitioned.v1")
    mine = [(t.to_state, t.cause) for t in transitions if t.endpoint == bridge.endpoint]
    assert mine == [("open", "signature_rejections"), ("closed", "manual_reset")]


async def test_an_accepted_webhook_re_drives_what_was_held_before_it_not_what_is_held_after(
    make_bridge: BridgeFactory, portal: ScriptablePortal
) -> None:
    clock = MovableClock()
    bridge = make_bridge(clock=clock, delivery_batch_size=1, delivery_concurrency=1)
    [earlier] = await enqueue(bridge, 1, at=clock())
    portal.statuses[:] = [401]
    await bridge.app.state.delivery_worker.run_once()
    assert await statuses(bridge, [earlier]) == ["held"]

    clock.advance(1)
    round_bridge = make_bridge(clock=clock, delivery_batch_size=10, delivery_concurrency=1)
    ids = await enqueue(round_bridge, 3, at=clock())
    clock.advance(1)
    portal.statuses[:] = [401, 200, 401]
    assert (await round_bridge.app.state.delivery_worker.run_once()).sent == 3

    assert await statuses(bridge, [earlier, *ids]) == ["pending", "pending", "delivered", "held"]
    before, accepted, after = [await _ledger(bridge.runtime, i) for i in ids]
    outside = await _ledger(bridge.runtime, earlier)
    assert outside["next_attempt_at"] == before["next_attempt_at"] == accepted["delivered_at"]
    assert outside["stop_cause"] is None
    assert before["stop_cause"] is None
    assert after["stop_cause"] is not None
    assert [a["next_step"] for a in before["attempts"]] == ["held"]
