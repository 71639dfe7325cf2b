"""Manual overrides: each needs a reason, names its actor and becomes an audit event."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from release_bridge_fakes import FakeUnit
from release_bridge_testkit import T0, a_certificate, a_policy, a_training_record

from contracts.catalogue import ReleasePolicyPublished
from contracts.release import ReleaseDecided, SupportActionRecorded
from release_bridge.service import releases, support
from release_bridge.service.errors import Conflict, OutsideGoLive, UnknownOperator, Unpublished
from release_bridge.service.releases import DecisionContext

CTX = DecisionContext(endpoint="portal", now=T0)


async def _unit_with_policy(*jurisdictions: str, go_live: tuple[str, ...] = ("MGA",)) -> FakeUnit:
    """Policies published for `jurisdictions` (MGA by default); op-9 going live in `go_live`."""
    unit = FakeUnit()
    for jurisdiction in jurisdictions or ("MGA",):
        published = ReleasePolicyPublished(
            policy=a_policy(jurisdiction=jurisdiction),
            version="v1",
            catalogue_version="c1",
            published_at=T0,
        )
        await releases.release_policy_published(unit, CTX, published, event_time=T0)
    unit.decisions.go_lives["op-9"] = list(go_live)
    return unit


async def _force(
    unit: FakeUnit,
    reason: str = "regulator approved early go-live",
    *,
    operator_id: str = "op-9",
    jurisdiction: str = "MGA",
    outside_go_live: bool = False,
) -> str:
    return await support.force_release(
        unit,
        CTX,
        operator_id=operator_id,
        jurisdiction=jurisdiction,
        actor="sam <sam@vendor>",
        reason=reason,
        outside_go_live=outside_go_live,
    )


def _nothing_happened(unit: FakeUnit) -> bool:
    return not (unit.support.actions or unit.events.emitted or unit.deliveries.rows)


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


async def test_force_release_evidence_carries_each_certificate_training() -> None:
    # Two officers where the policy needs three: forced, with the training each one has.
    unit = await _unit_with_policy()
    unit.decisions.policies["MGA"] = replace(
        unit.decisions.policies["MGA"], policy=a_policy(roles={"compliance_officer": 3})
    )
    record = a_training_record()
    await unit.decisions.save_certificate("op-9", a_certificate("c-1", training=record))
    await unit.decisions.save_certificate("op-9", a_certificate("c-2", staff_id="staff-2"))

    release_id = await _force(unit)

    [decided] = unit.events.of(ReleaseDecided)
    body = json.loads(unit.deliveries.bodies[release_id])
    assert {e.certificate_id: e.training for e in decided.evidence} == {"c-1": record, "c-2": None}
    assert [e["training"] for e in body["data"]["evidence"]] == [
        record.model_dump(mode="json"),
        None,
    ]


async def test_force_release_of_released_tooling_is_a_conflict_and_records_nothing() -> None:
    unit = await _unit_with_policy()
    await _force(unit)

    with pytest.raises(Conflict, match="already released"):
        await _force(unit)

    assert len(unit.support.actions) == 1


async def test_force_release_for_an_unknown_operator_suggests_the_close_one() -> None:
    unit = await _unit_with_policy()
    unit.decisions.go_lives["demo-operator"] = ["MGA"]

    with pytest.raises(UnknownOperator) as refused:
        await _force(unit, operator_id="demo-operatr")

    assert refused.value.did_you_mean == ["demo-operator"]
    assert str(refused.value) == "no operator 'demo-operatr'; did you mean 'demo-operator'?"
    assert refused.value.body["reason"] == "unknown_operator"
    assert _nothing_happened(unit)


async def test_force_release_for_an_operator_without_go_live_says_how_it_becomes_known() -> None:
    unit = await _unit_with_policy()

    with pytest.raises(UnknownOperator, match="once assessment has set its go-live") as refused:
        await _force(unit, operator_id="op-never-seen")

    assert refused.value.did_you_mean == []
    assert _nothing_happened(unit)


async def test_force_release_in_an_unpublished_jurisdiction_lists_the_published_ones() -> None:
    unit = await _unit_with_policy("MGA", "GSC", go_live=("MGA", "ZZZZ"))

    with pytest.raises(Unpublished) as refused:
        await _force(unit, jurisdiction="ZZZZ")

    assert refused.value.published == ["GSC", "MGA"]
    assert str(refused.value) == ("'ZZZZ' is not published by the catalogue; published: GSC, MGA")
    assert _nothing_happened(unit)


async def test_force_release_outside_go_live_is_refused_without_the_flag() -> None:
    unit = await _unit_with_policy("MGA", "GCB", go_live=("MGA",))

    with pytest.raises(OutsideGoLive, match="outside_go_live: true") as refused:
        await _force(unit, jurisdiction="GCB")

    assert refused.value.go_live == ["MGA"]
    assert "op-9 is going live in MGA, not GCB" in str(refused.value)
    assert _nothing_happened(unit)


async def test_force_release_outside_go_live_with_the_flag_is_released_and_audited_as_such() -> (
    None
):
    unit = await _unit_with_policy("MGA", "GCB", go_live=("MGA",))

    release_id = await _force(unit, jurisdiction="GCB", outside_go_live=True)

    body = json.loads(unit.deliveries.bodies[release_id])
    assert (body["data"]["jurisdiction"], body["data"]["reason"]) == ("GCB", "manual_override")
    [action] = unit.events.of(SupportActionRecorded)
    assert (action.action, action.target) == ("force_release_outside_go_live", release_id)
    assert action.details == {
        "jurisdiction": "GCB",
        "epoch": "1",
        "go_live": "MGA",
        "outside_go_live": "true",
    }


async def test_the_flag_inside_go_live_is_recorded_as_an_ordinary_force_release() -> None:
    unit = await _unit_with_policy()

    await _force(unit, outside_go_live=True)

    [action] = unit.events.of(SupportActionRecorded)
    assert (action.action, action.details["outside_go_live"]) == ("force_release", "false")


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


async def test_replay_for_an_unknown_operator_suggests_the_close_one_and_queues_nothing() -> None:
    unit = await _unit_with_policy()
    release_id = await _force(unit)
    unit.deliveries.rows[release_id] = replace(
        unit.deliveries.rows[release_id], status="delivered", delivered_at=T0
    )

    with pytest.raises(UnknownOperator) as refused:
        await support.replay(
            unit,
            endpoint="portal",
            since=T0 - timedelta(minutes=1),
            until=T0 + timedelta(minutes=1),
            operator_id="op-0",
            actor="sam",
            reason="portal restored from backup",
            now=T0 + timedelta(hours=1),
        )

    assert refused.value.did_you_mean == ["op-9"]
    assert unit.deliveries.status_of(release_id) == "delivered"
    assert [a.action for a in unit.support.actions] == ["force_release"]


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
