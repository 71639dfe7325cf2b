"""Manual overrides: each needs a reason, names its actor and becomes an audit event."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from release_bridge_fakes import FakeUnit
from release_bridge_testkit import T0, a_policy

from contracts.catalogue import ReleasePolicyPublished
from contracts.release import ReleaseDecided, SupportActionRecorded
from release_bridge.service import releases, support
from release_bridge.service.errors import Conflict, NotFound
from release_bridge.service.releases import Context

CTX = Context(endpoint="portal", now=T0)


async def _unit_with_policy() -> FakeUnit:
    unit = FakeUnit()
    published = ReleasePolicyPublished(
        policy=a_policy(), version="v1", catalogue_version="c1", published_at=T0
    )
    await releases.release_policy_published(unit, CTX, published, event_time=T0)
    return unit


async def _force(unit: FakeUnit, reason: str = "regulator approved early go-live") -> str:
    return await support.force_release(
        unit, CTX, operator_id="op-9", jurisdiction="MGA", actor="sam <sam@vendor>", reason=reason
    )


async def test_force_release_sends_a_manual_override_with_actor_and_reason() -> None:
    unit = await _unit_with_policy()

    release_id = await _force(unit)

    body = json.loads(unit.deliveries.bodies[release_id])
    assert body["data"]["reason"] == "manual_override"
    assert body["data"]["override"] == {
        "actor": "sam <sam@vendor>",
        "reason": "regulator approved early go-live",
    }
    [decided] = unit.events.of(ReleaseDecided)
    [action] = unit.events.of(SupportActionRecorded)
    assert decided.reason == "manual_override"
    assert (action.action, action.actor, action.target) == (
        "force_release",
        "sam <sam@vendor>",
        release_id,
    )
    assert unit.support.actions[0].operator_id == "op-9"


async def test_force_release_of_released_tooling_is_a_conflict_and_records_nothing() -> None:
    unit = await _unit_with_policy()
    await _force(unit)

    with pytest.raises(Conflict, match="already released"):
        await _force(unit)

    assert len(unit.support.actions) == 1


async def test_force_release_without_a_known_policy_is_not_found() -> None:
    with pytest.raises(NotFound, match="no release policy"):
        await _force(FakeUnit())


@pytest.mark.parametrize("reason", ["", "   "])
async def test_support_action_without_a_reason_is_refused(reason: str) -> None:
    unit = await _unit_with_policy()

    with pytest.raises(ValueError, match="reason"):
        await _force(unit, reason=reason)


async def test_redelivering_an_acknowledged_delivery_is_a_conflict() -> None:
    unit = await _unit_with_policy()
    release_id = await _force(unit)
    row = unit.deliveries.rows[release_id]
    unit.deliveries.rows[release_id] = replace(row, status="delivered", delivered_at=T0)

    with pytest.raises(Conflict, match="replay"):
        await support.redeliver(unit, webhook_id=release_id, actor="sam", reason="x", now=T0)


async def test_replay_queues_every_delivery_decided_in_the_range_again() -> None:
    unit = await _unit_with_policy()
    release_id = await _force(unit)
    row = unit.deliveries.rows[release_id]
    unit.deliveries.rows[release_id] = replace(row, status="delivered", delivered_at=T0)

    ids = await support.replay(
        unit,
        endpoint="portal",
        since=T0 - timedelta(minutes=1),
        until=T0 + timedelta(minutes=1),
        operator_id=None,
        actor="sam",
        reason="portal restored from backup",
        now=T0 + timedelta(hours=1),
    )
    empty = await support.replay(
        unit,
        endpoint="portal",
        since=T0 + timedelta(minutes=1),
        until=T0 + timedelta(minutes=2),
        operator_id=None,
        actor="sam",
        reason="nothing there",
        now=T0 + timedelta(hours=1),
    )

    assert ids == [release_id]
    assert empty == []
    assert unit.deliveries.status_of(release_id) == "pending"
    assert next(a.details for a in unit.support.actions if a.action == "replay") == {
        "since": (T0 - timedelta(minutes=1)).isoformat(),
        "until": (T0 + timedelta(minutes=1)).isoformat(),
        "deliveries": "1",
    }


async def test_replay_range_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="end after"):
        await support.replay(
            FakeUnit(),
            endpoint="portal",
            since=T0,
            until=T0,
            operator_id=None,
            actor="sam",
            reason="oops",
            now=T0,
        )
