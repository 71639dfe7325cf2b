"""GET /v1/operators/{id}/releases over HTTP on the test database: what an operator's officers
see of their releases (how, when, the delivery), and nothing of another operator's."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from academy_testkit.issuer import DevIssuer
from conftest import Bridge, BridgeFactory, ScriptablePortal, bearer, drain
from contracts.assessment import CertificationIssued, CertificationRevoked, OperatorJurisdictionsSet
from contracts.catalogue import ReleasePolicyPublished
from contracts.common import ReleasePolicy, RoleRequirement
from release_bridge.adapters.unit_of_work import Units
from release_bridge.service import operators, releases

pytestmark = pytest.mark.integration

SUPPORT_ACTOR = "sam.support <sam.support@academy-vendor.example>"


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


def _officer(issuer: DevIssuer, operator: str, *roles: str) -> dict[str, str]:
    token = issuer.mint(
        sub=f"officer-{uuid.uuid4().hex[:6]}",
        operator_id=operator,
        groups=list(roles or ("compliance_officer",)),
    )
    return {"Authorization": f"Bearer {token}"}


async def _policy(
    bridge: Bridge, jurisdiction: str, *, needed: int = 1, revoke_on_lapse: bool = False
) -> None:
    now = datetime.now(UTC)
    event = ReleasePolicyPublished(
        policy=ReleasePolicy(
            jurisdiction=jurisdiction,
            requirements=[RoleRequirement(role="compliance_officer", count=needed)],
            tooling=[f"{jurisdiction.lower()}-suite"],
            revoke_on_lapse=revoke_on_lapse,
        ),
        version="v1",
        catalogue_version="c1",
        published_at=now,
    )
    async with Units(bridge.runtime)() as unit:
        ctx = releases.DecisionContext(endpoint=bridge.endpoint, now=now)
        await releases.release_policy_published(unit, ctx, event, event_time=now)


async def _go_live(bridge: Bridge, operator: str, *jurisdictions: str) -> None:
    event = OperatorJurisdictionsSet(
        operator_id=operator,
        jurisdictions=list(jurisdictions),
        actor="ada.admin",
        set_at=datetime.now(UTC),
    )
    async with Units(bridge.runtime)() as unit:
        await operators.jurisdictions_set(unit, event)


async def _certify(bridge: Bridge, operator: str, jurisdiction: str) -> str:
    """What assessment's certificate event does: the bridge decides again."""
    now = datetime.now(UTC)
    event = CertificationIssued(
        certificate_id=f"cert-{uuid.uuid4().hex[:8]}",
        staff_id="grace",
        staff_name="Grace Hopper",
        role="compliance_officer",
        jurisdiction=jurisdiction,
        track_version=f"{jurisdiction.lower()}-1",
        attempt_id=f"attempt-{uuid.uuid4().hex[:8]}",
        passed_at=now - timedelta(minutes=1),
        expires_at=now + timedelta(days=548),
        verification_code="ABCD",
    )
    async with Units(bridge.runtime)() as unit:
        ctx = releases.DecisionContext(endpoint=bridge.endpoint, now=now)
        await releases.certification_issued(unit, ctx, event, operator_id=operator, event_time=now)
    return event.certificate_id


async def _revoke(bridge: Bridge, operator: str, jurisdiction: str, certificate_id: str) -> None:
    now = datetime.now(UTC)
    event = CertificationRevoked(
        certificate_id=certificate_id,
        staff_id="grace",
        role="compliance_officer",
        jurisdiction=jurisdiction,
        actor="ada.admin",
        reason="left the company",
        revoked_at=now,
    )
    async with Units(bridge.runtime)() as unit:
        ctx = releases.DecisionContext(endpoint=bridge.endpoint, now=now)
        await releases.certification_revoked(unit, ctx, event, operator_id=operator, event_time=now)


async def test_officer_sees_each_release_how_and_when_and_where_its_delivery_stands(
    make_bridge: BridgeFactory, portal: ScriptablePortal, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    certified, forced, pending = (_unique("R") for _ in range(3))
    operator = f"op-{uuid.uuid4().hex[:8]}"
    await _policy(bridge, certified)
    await _policy(bridge, forced)
    await _policy(bridge, pending, needed=2)
    await _go_live(bridge, operator, certified, forced, pending)
    await _certify(bridge, operator, certified)
    await _certify(bridge, operator, pending)
    await drain(bridge)
    officer = _officer(issuer, operator)
    support = bearer(issuer, "academy_support")

    async with bridge.client() as client:
        created = await client.post(
            "/v1/support/releases",
            json={"operator_id": operator, "jurisdiction": forced, "reason": "regulator call"},
            headers=support,
        )
        assert created.status_code == 201, created.text
        portal.statuses[:] = [503]
        assert (await bridge.app.state.delivery_worker.run_once()).sent == 1
        answer = await client.get(f"/v1/operators/{operator}/releases", headers=officer)
        opened = await client.post(
            f"/v1/support/breakers/{bridge.endpoint}/force-open",
            json={"reason": "portal maintenance"},
            headers=support,
        )
        assert opened.status_code == 200, opened.text
        behind_breaker = await client.get(f"/v1/operators/{operator}/releases", headers=officer)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["operator_id"] == operator
    by_code = {j["jurisdiction"]: j for j in body["jurisdictions"]}
    assert list(by_code) == sorted([certified, forced, pending])

    released = by_code[certified]
    assert (released["released"], released["policy_met"]) == (True, True)
    assert released["release"]["how"] == "policy_met"
    assert released["release"]["override"] is None
    assert released["release"]["tooling"] == [f"{certified.lower()}-suite"]
    assert released["release"]["delivery"]["state"] == "delivered"
    assert released["release"]["delivery"]["acknowledged_at"] is not None
    assert released["revocation"] is None

    override = by_code[forced]
    assert (override["released"], override["policy_met"]) == (True, False)
    assert override["release"]["release_id"] == created.json()["release_id"]
    assert override["release"]["how"] == "manual_override"
    assert override["release"]["override"] == {"actor": SUPPORT_ACTOR, "reason": "regulator call"}
    delivery = override["release"]["delivery"]
    assert (delivery["state"], delivery["attempts"], delivery["acknowledged_at"]) == (
        "retrying",
        1,
        None,
    )
    assert delivery["next_attempt_at"] is not None

    assert by_code[pending] == {
        "jurisdiction": pending,
        "released": False,
        "policy_met": False,
        "release": None,
        "revocation": None,
    }

    held = {j["jurisdiction"]: j for j in behind_breaker.json()["jurisdictions"]}
    assert held[forced]["release"]["delivery"]["state"] == "held"
    assert held[certified]["release"]["delivery"]["state"] == "delivered"


async def test_a_revoked_release_shows_the_revocation_and_its_cause(
    make_bridge: BridgeFactory, portal: ScriptablePortal, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    jurisdiction = _unique("V")
    operator = f"op-{uuid.uuid4().hex[:8]}"
    await _policy(bridge, jurisdiction, revoke_on_lapse=True)
    await _go_live(bridge, operator, jurisdiction)
    certificate = await _certify(bridge, operator, jurisdiction)
    await _revoke(bridge, operator, jurisdiction, certificate)
    await drain(bridge)

    async with bridge.client() as client:
        answer = await client.get(
            f"/v1/operators/{operator}/releases", headers=_officer(issuer, operator)
        )

    [status] = answer.json()["jurisdictions"]
    assert (status["released"], status["release"]["how"]) == (False, "policy_met")
    revocation = status["revocation"]
    assert revocation["cause"].startswith("policy_lapsed")
    assert revocation["tooling"] == [f"{jurisdiction.lower()}-suite"]
    assert revocation["delivery"]["state"] == "delivered"
    assert [r.webhook_id for r in portal.received] == [
        status["release"]["release_id"],
        revocation["revocation_id"],
    ]


async def test_an_operator_without_decisions_gets_an_empty_list(
    make_bridge: BridgeFactory, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    operator = f"op-{uuid.uuid4().hex[:8]}"
    async with bridge.client() as client:
        answer = await client.get(
            f"/v1/operators/{operator}/releases",
            headers=_officer(issuer, operator, "operator_admin"),
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["jurisdictions"] == []


async def test_another_operators_officer_is_refused_and_vendor_roles_see_any_operator(
    make_bridge: BridgeFactory, portal: ScriptablePortal, issuer: DevIssuer
) -> None:
    bridge = make_bridge()
    jurisdiction = _unique("I")
    operator = f"op-{uuid.uuid4().hex[:8]}"
    await _policy(bridge, jurisdiction)
    await _go_live(bridge, operator, jurisdiction)
    await _certify(bridge, operator, jurisdiction)
    url = f"/v1/operators/{operator}/releases"

    async with bridge.client() as client:
        foreign = await client.get(url, headers=_officer(issuer, "op-elsewhere", "operator_admin"))
        # Vendor roles in another operator's token count for nothing (auth.py).
        posing = await client.get(url, headers=_officer(issuer, "op-elsewhere", "academy_support"))
        croupier = await client.get(url, headers=_officer(issuer, operator, "croupier"))
        anonymous = await client.get(url)
        support = await client.get(url, headers=bearer(issuer, "academy_support"))
        auditor = await client.get(url, headers=bearer(issuer, "academy_auditor"))

    assert foreign.status_code == 403
    assert foreign.json()["reason"] == "foreign_operator"
    assert jurisdiction not in foreign.text
    assert posing.status_code == 403
    assert croupier.status_code == 403
    assert "compliance_officer" in croupier.json()["detail"]
    assert anonymous.status_code == 401
    for vendor in (support, auditor):
        assert vendor.status_code == 200, vendor.text
        assert [j["jurisdiction"] for j in vendor.json()["jurisdictions"]] == [jurisdiction]


@pytest.mark.parametrize("operator_id", ["op%20space", "-leading-dash", "o" * 65, "op%00nul"])
async def test_a_malformed_operator_id_is_a_422_naming_the_field(
    make_bridge: BridgeFactory, issuer: DevIssuer, operator_id: str
) -> None:
    bridge = make_bridge()
    async with bridge.client() as client:
        answer = await client.get(
            f"/v1/operators/{operator_id}/releases", headers=bearer(issuer, "academy_support")
        )
    assert answer.status_code == 422, answer.text
    assert [p["field"] for p in answer.json()["problems"]] == ["path.operator_id"]
