"""The support API over HTTP: role academy_support, a reason every time, audit events."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from academy_testkit.issuer import DevIssuer
from conftest import BridgeFactory, ScriptablePortal, bearer, drain, enqueue, outbox_events
from contracts.assessment import OperatorJurisdictionsSet
from contracts.catalogue import ReleasePolicyPublished
from contracts.common import ReleasePolicy, RoleRequirement
from release_bridge.adapters.unit_of_work import Units
from release_bridge.service import operators, releases

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
        ctx = releases.DecisionContext(endpoint=bridge.endpoint, now=now)
        await releases.release_policy_published(unit, ctx, event, event_time=now)


async def _go_live(bridge, operator: str, *jurisdictions: str) -> None:  # type: ignore[no-untyped-def]
    """What assessment's `jurisdictions_set` event does: the bridge now knows the operator."""
    event = OperatorJurisdictionsSet(
        operator_id=operator,
        jurisdictions=list(jurisdictions),
        actor="ada.admin",
        set_at=datetime.now(UTC),
    )
    async with Units(bridge.runtime)() as unit:
        await operators.jurisdictions_set(unit, event)


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


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
    jurisdiction = _unique("F")
    operator = f"op-forced-{jurisdiction.lower()}"
    await _publish_policy(bridge, jurisdiction)
    await _go_live(bridge, operator, jurisdiction)
    request = {"operator_id": operator, "jurisdiction": jurisdiction, "reason": "go-live call"}

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
        operator,
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
            "/v1/support/deliveries/nope/redeliver", json={"reason": "ticket 42"}, headers=headers
        )
        malformed = await client.post(
            "/v1/support/deliveries/no%20such%20id/redeliver",
            json={"reason": "ticket 42"},
            headers=headers,
        )
        await drain(bridge)
        done = (await client.get(f"/v1/support/deliveries/{webhook_id}", headers=headers)).json()

    assert (parked["status"], parked["stop_cause"]) == ("parked", "endpoint_gone")
    assert redone.status_code == 200
    assert unknown.status_code == 404
    assert malformed.status_code == 422
    assert malformed.json()["problems"][0]["field"] == "path.webhook_id"
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
            json={"reason": "ticket 42"},
            headers=bearer(issuer, "academy_support"),
        )
    assert response.status_code == 404


async def test_force_release_for_a_mistyped_operator_is_a_404_naming_the_one_meant(
    make_bridge: BridgeFactory, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    jurisdiction = _unique("T")
    operator = f"{jurisdiction.lower()}-casino"
    typo = operator.replace("casino", "casno")
    await _publish_policy(bridge, jurisdiction)
    await _go_live(bridge, operator, jurisdiction)

    async with bridge.client() as client:
        response = await client.post(
            "/v1/support/releases",
            json={"operator_id": typo, "jurisdiction": jurisdiction, "reason": "typo"},
            headers=bearer(issuer, "academy_support"),
        )

    assert response.status_code == 404, response.text
    assert response.json() == {
        "error": "not_found",
        "reason": "unknown_operator",
        "detail": f"no operator {typo!r}; did you mean {operator!r}?",
        "did_you_mean": [operator],
    }
    assert await outbox_events(bridge, "academy.release.decided.v1", tenant=typo) == []


async def test_force_release_in_a_jurisdiction_the_catalogue_never_published_is_a_422(
    make_bridge: BridgeFactory, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    published, unpublished = _unique("P"), _unique("U")
    operator = f"op-{published.lower()}"
    await _publish_policy(bridge, published)
    await _go_live(bridge, operator, published, unpublished)

    async with bridge.client() as client:
        response = await client.post(
            "/v1/support/releases",
            json={"operator_id": operator, "jurisdiction": unpublished, "reason": "ticket 42"},
            headers=bearer(issuer, "academy_support"),
        )

    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["error"], body["detail"]) == (
        "invalid_request",
        "fix the listed fields: jurisdiction",
    )
    [problem] = body["problems"]
    assert problem["field"] == "jurisdiction"
    assert problem["problem"].startswith(f"{unpublished!r} is not published by the catalogue; ")
    assert published in body["published"]
    assert unpublished not in body["published"]


async def test_force_release_outside_go_live_needs_the_flag_and_is_audited_as_such(
    make_bridge: BridgeFactory, portal: ScriptablePortal, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    live, other = _unique("L"), _unique("O")
    operator = f"op-{live.lower()}"
    await _publish_policy(bridge, live)
    await _publish_policy(bridge, other)
    await _go_live(bridge, operator, live)
    request = {"operator_id": operator, "jurisdiction": other, "reason": "regulator asked"}
    headers = bearer(issuer, "academy_support")

    async with bridge.client() as client:
        refused = await client.post("/v1/support/releases", json=request, headers=headers)
        forced = await client.post(
            "/v1/support/releases", json={**request, "outside_go_live": True}, headers=headers
        )
    await drain(bridge)

    assert refused.status_code == 409, refused.text
    assert refused.json()["reason"] == "outside_go_live"
    assert refused.json()["go_live"] == [live]
    assert "outside_go_live: true (CLI --outside-go-live)" in refused.json()["detail"]
    assert forced.status_code == 201, forced.text
    assert forced.json()["outside_go_live"] is True
    release_id = forced.json()["release_id"]
    assert release_id in portal.ids()
    [action] = await outbox_events(bridge, "academy.support_action.recorded.v1", subject=release_id)
    assert action.action == "force_release_outside_go_live"
    assert (action.details["go_live"], action.details["outside_go_live"]) == (live, "true")


async def test_replay_of_a_mistyped_operator_is_a_404_naming_the_one_meant(
    make_bridge: BridgeFactory, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    operator = f"kestrel-bet-{uuid.uuid4().hex[:6]}"
    await _go_live(bridge, operator, "MGA")
    start = datetime.now(UTC)
    body = {
        "since": (start - timedelta(seconds=1)).isoformat(),
        "until": (start + timedelta(seconds=1)).isoformat(),
        "operator_id": operator.replace("-bet", "bet"),
        "reason": "portal restored from backup",
    }

    async with bridge.client() as client:
        response = await client.post(
            "/v1/support/replays", json=body, headers=bearer(issuer, "academy_support")
        )

    assert response.status_code == 404, response.text
    assert response.json()["did_you_mean"] == [operator]


async def test_a_reason_of_fewer_than_three_visible_characters_is_refused(
    make_bridge: BridgeFactory, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    async with bridge.client() as client:
        response = await client.post(
            f"/v1/support/breakers/{bridge.endpoint}/reset",
            json={"reason": "ok"},
            headers=bearer(issuer, "academy_support"),
        )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "reason"
