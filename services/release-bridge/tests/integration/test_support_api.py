"""The support API over HTTP: role academy_support, a reason every time, audit events."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from academy.local.issuer import DevIssuer
from conftest import BridgeFactory, ScriptablePortal, bearer, drain, enqueue, outbox_events
from contracts.catalogue import ReleasePolicyPublished
from contracts.common import ReleasePolicy, RoleRequirement
from release_bridge.adapters.unit_of_work import Units
from release_bridge.service import releases

pytestmark = pytest.mark.integration


async def _publish_policy(bridge, jurisdiction: str) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    event = ReleasePolicyPublished(
        policy=ReleasePolicy(
            jurisdiction=jurisdiction,
            requirements=[RoleRequirement(role="compliance_officer")],
            tooling=[f"{jurisdiction.lower()}-suite"],
        ),
        version="v1",
        catalogue_version="c1",
        published_at=now,
    )
    async with Units(bridge.runtime)() as unit:
        ctx = releases.Context(endpoint=bridge.endpoint, now=now)
        await releases.release_policy_published(unit, ctx, event, event_time=now)


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ("compliance_officer", 403), ("academy_admin", 403)],
)
async def test_support_routes_need_the_academy_support_role(
    make_bridge: BridgeFactory, issuer: DevIssuer, headers: object, status: int
) -> None:
    bridge = make_bridge()
    sent = bearer(issuer, headers) if isinstance(headers, str) else {}
    async with bridge.client() as client:
        response = await client.post(
            f"/v1/support/breakers/{bridge.endpoint}/force-open",
            json={"reason": "testing"},
            headers=sent,
        )
    assert response.status_code == status, response.text


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
async def test_every_support_action_needs_a_reason(
    make_bridge: BridgeFactory, issuer: DevIssuer, body: dict[str, str]
) -> None:
    bridge = make_bridge()
    async with bridge.client() as client:
        response = await client.post(
            f"/v1/support/breakers/{bridge.endpoint}/reset",
            json=body,
            headers=bearer(issuer, "academy_support"),
        )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "reason"


async def test_force_release_is_delivered_as_a_manual_override_and_audited(
    make_bridge: BridgeFactory, portal: ScriptablePortal, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    jurisdiction = f"F{uuid.uuid4().hex[:6].upper()}"
    await _publish_policy(bridge, jurisdiction)
    request = {"operator_id": "op-forced", "jurisdiction": jurisdiction, "reason": "go-live call"}

    async with bridge.client() as client:
        created = await client.post(
            "/v1/support/releases", json=request, headers=bearer(issuer, "academy_support")
        )
        again = await client.post(
            "/v1/support/releases", json=request, headers=bearer(issuer, "academy_support")
        )
    await drain(bridge)

    assert created.status_code == 201, created.text
    assert again.status_code == 409
    assert "already released" in again.json()["detail"]
    release_id = created.json()["release_id"]
    [received] = [r for r in portal.received if r.webhook_id == release_id]
    data = json.loads(received.body)["data"]
    assert data["reason"] == "manual_override"
    assert data["override"] == {
        "actor": "sam.support <sam.support@academy-vendor.example>",
        "reason": "go-live call",
    }
    [action] = await outbox_events(bridge, "academy.support_action.recorded.v1", subject=release_id)
    assert (action.action, action.actor, action.reason, action.operator_id) == (
        "force_release",
        "sam.support <sam.support@academy-vendor.example>",
        "go-live call",
        "op-forced",
    )


async def test_redeliver_sends_a_parked_delivery_again_and_answers_404_for_unknown_ids(
    make_bridge: BridgeFactory, portal: ScriptablePortal, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    [webhook_id] = await enqueue(bridge, 1)
    portal.statuses[:] = [410]
    await drain(bridge)
    headers = bearer(issuer, "academy_support")

    async with bridge.client() as client:
        parked = (await client.get(f"/v1/support/deliveries/{webhook_id}", headers=headers)).json()
        redone = await client.post(
            f"/v1/support/deliveries/{webhook_id}/redeliver",
            json={"reason": "portal endpoint restored"},
            headers=headers,
        )
        unknown = await client.post(
            "/v1/support/deliveries/nope/redeliver", json={"reason": "x"}, headers=headers
        )
        await drain(bridge)
        done = (await client.get(f"/v1/support/deliveries/{webhook_id}", headers=headers)).json()

    assert (parked["status"], parked["stop_cause"]) == ("parked", "endpoint_gone")
    assert redone.status_code == 200
    assert unknown.status_code == 404
    assert done["status"] == "delivered"
    assert [a["status_code"] for a in done["attempts"]] == [410, 204]
    [action] = await outbox_events(bridge, "academy.support_action.recorded.v1", subject=webhook_id)
    assert action.details["previous_status"] == "parked"


async def test_replay_sends_every_webhook_of_a_time_range_again(
    make_bridge: BridgeFactory, portal: ScriptablePortal, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    start = datetime.now(UTC)
    ids = await enqueue(bridge, 3, at=start)
    await drain(bridge)
    body = {
        "since": (start - timedelta(seconds=1)).isoformat(),
        "until": (start + timedelta(seconds=1)).isoformat(),
        "reason": "portal restored from backup",
    }

    async with bridge.client() as client:
        replayed = await client.post(
            "/v1/support/replays", json=body, headers=bearer(issuer, "academy_support")
        )
    await drain(bridge)

    assert replayed.json()["count"] == 3
    assert sorted(portal.ids()) == sorted(ids * 2)


async def test_forcing_the_breaker_open_stops_deliveries_until_forced_closed(
    make_bridge: BridgeFactory, portal: ScriptablePortal, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    headers = bearer(issuer, "academy_support")
    async with bridge.client() as client:
        opened = await client.post(
            f"/v1/support/breakers/{bridge.endpoint}/force-open",
            json={"reason": "portal maintenance"},
            headers=headers,
        )
        [webhook_id] = await enqueue(bridge, 1)
        await drain(bridge)
        waiting = list(portal.ids())
        closed = await client.post(
            f"/v1/support/breakers/{bridge.endpoint}/force-closed",
            json={"reason": "maintenance over"},
            headers=headers,
        )
        await drain(bridge)
        states = (await client.get("/v1/support/breakers", headers=headers)).json()

    assert opened.json() == {"endpoint": bridge.endpoint, "from": "closed", "to": "open"}
    assert waiting == []
    assert closed.json()["to"] == "closed"
    assert portal.ids() == [webhook_id]
    [mine] = [s for s in states if s["endpoint"] == bridge.endpoint]
    assert (mine["status"], mine["pinned"]) == ("closed", True)
    actions = await outbox_events(bridge, "academy.support_action.recorded.v1")
    mine_actions = [a.action for a in actions if a.target == bridge.endpoint]
    assert mine_actions == ["breaker_force_open", "breaker_force_closed"]


async def test_breaker_of_another_endpoint_is_not_found(
    make_bridge: BridgeFactory, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    async with bridge.client() as client:
        response = await client.post(
            "/v1/support/breakers/elsewhere/reset",
            json={"reason": "x"},
            headers=bearer(issuer, "academy_support"),
        )
    assert response.status_code == 404
