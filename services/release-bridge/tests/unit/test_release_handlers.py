"""The certificate and policy handlers, run against in-memory ports."""

import json
from datetime import timedelta

from release_bridge_fakes import FakeUnit
from release_bridge_testkit import (
    EIGHTEEN_MONTHS,
    T0,
    a_policy,
    a_training_record,
    a_training_state,
)

from contracts.assessment import (
    CertificationExpired,
    CertificationExpiring,
    CertificationIssued,
    CertificationRevoked,
    TrainingState,
)
from contracts.catalogue import ReleasePolicyPublished
from contracts.common import ReleasePolicy
from contracts.release import ReleaseDecided, ToolingRevocationDecided
from release_bridge.service import releases
from release_bridge.service.releases import DecisionContext

OPERATOR = "op-1"
CTX = DecisionContext(endpoint="portal", now=T0)


def _issued(
    certificate_id: str = "cert-1",
    *,
    role: str = "compliance_officer",
    jurisdiction: str = "MGA",
    training: TrainingState | None = None,
) -> CertificationIssued:
    passed = T0 - timedelta(hours=1)
    return CertificationIssued(
        certificate_id=certificate_id,
        staff_id=f"staff-{certificate_id}",
        staff_name="Alice Officer",
        role=role,
        jurisdiction=jurisdiction,
        track_version="mga-2026.1",
        attempt_id=f"attempt-{certificate_id}",
        passed_at=passed,
        expires_at=passed + EIGHTEEN_MONTHS,
        verification_code="ABCD-EFGH",
        training=training,
    )


def _published(policy: ReleasePolicy, *, at: timedelta = timedelta(0)) -> ReleasePolicyPublished:
    return ReleasePolicyPublished(
        policy=policy, version="v1", catalogue_version="c1", published_at=T0 - timedelta(1) + at
    )


async def _with_policy(policy: ReleasePolicy | None = None) -> FakeUnit:
    unit = FakeUnit()
    await releases.release_policy_published(
        unit, CTX, _published(policy or a_policy()), event_time=T0
    )
    return unit


async def _issue(unit: FakeUnit, event: CertificationIssued, ctx: DecisionContext = CTX) -> None:
    await releases.certification_issued(
        unit, ctx, event, operator_id=OPERATOR, event_time=T0 - timedelta(seconds=3)
    )


async def test_certificate_meeting_the_policy_decides_a_release_and_queues_its_webhook() -> None:
    unit = await _with_policy()

    await _issue(unit, _issued())

    [decided] = unit.events.of(ReleaseDecided)
    [delivery] = unit.deliveries.rows.values()
    body = json.loads(unit.deliveries.bodies[delivery.webhook_id])
    assert decided.epoch == 1
    assert delivery.webhook_id == decided.release_id == body["data"]["release_id"]
    assert body["type"] == "tooling.released.v1"
    assert body["data"]["evidence"][0]["certificate_id"] == "cert-1"
    assert delivery.status == "pending"
    assert delivery.triggered_at == T0 - timedelta(seconds=3)


async def test_release_evidence_carries_the_training_the_certificate_was_issued_with() -> None:
    # Carried as issued, not judged: the audit pack decides what a waived module means.
    record = a_training_record({"aml": T0 - timedelta(days=2)}, required=("aml", "kyc"))
    unit = await _with_policy()

    await _issue(unit, _issued(training=a_training_state(record)))

    [decided] = unit.events.of(ReleaseDecided)
    body = json.loads(unit.deliveries.bodies[decided.release_id])
    assert [e.training for e in decided.evidence] == [record]
    assert body["data"]["evidence"][0]["training"] == {
        "modules_required": ["aml", "kyc"],
        "modules_completed": [{"module_id": "aml", "completed_at": "2026-11-22T10:00:00Z"}],
    }


async def test_certificate_issued_without_training_is_evidence_without_training() -> None:
    unit = await _with_policy()

    await _issue(unit, _issued())

    [decided] = unit.events.of(ReleaseDecided)
    body = json.loads(unit.deliveries.bodies[decided.release_id])
    assert [e.training for e in decided.evidence] == [None]
    assert body["data"]["evidence"][0]["training"] is None


async def test_release_decided_when_the_policy_arrives_carries_the_stored_training() -> None:
    record = a_training_record()
    unit = FakeUnit()
    await _issue(unit, _issued(training=a_training_state(record)))

    await releases.release_policy_published(unit, CTX, _published(a_policy()), event_time=T0)

    [decided] = unit.events.of(ReleaseDecided)
    assert [e.training for e in decided.evidence] == [record]


async def test_certificate_for_a_role_the_policy_does_not_need_releases_nothing() -> None:
    unit = await _with_policy()

    await _issue(unit, _issued(role="mlro"))

    assert unit.events.of(ReleaseDecided) == []
    assert unit.deliveries.rows == {}


async def test_replayed_certificate_event_queues_no_second_release() -> None:
    unit = await _with_policy()

    await _issue(unit, _issued())
    await _issue(unit, _issued())
    await _issue(unit, _issued("cert-2"))

    assert len(unit.events.of(ReleaseDecided)) == 1
    assert len(unit.deliveries.rows) == 1


async def test_certificate_before_its_policy_is_released_when_the_policy_arrives() -> None:
    unit = FakeUnit()
    await _issue(unit, _issued())
    assert unit.deliveries.rows == {}

    rechecked = await releases.release_policy_published(
        unit, CTX, _published(a_policy()), event_time=T0
    )

    assert rechecked == 1
    assert [d.operator_id for d in unit.events.of(ReleaseDecided)] == [OPERATOR]


async def test_older_policy_version_does_not_replace_a_newer_one() -> None:
    unit = await _with_policy(a_policy(revoke_on_lapse=True))

    applied = await releases.release_policy_published(
        unit, CTX, _published(a_policy(), at=-timedelta(hours=1)), event_time=T0
    )

    assert applied == 0
    policy = await unit.decisions.policy("MGA")
    assert policy is not None
    assert policy.revoke_on_lapse


async def test_revoked_certificate_under_revoke_on_lapse_queues_tooling_revoked() -> None:
    unit = await _with_policy(a_policy(revoke_on_lapse=True))
    await _issue(unit, _issued())

    revoked = CertificationRevoked(
        certificate_id="cert-1",
        staff_id="staff-cert-1",
        role="compliance_officer",
        jurisdiction="MGA",
        actor="auditor",
        reason="exam fraud",
        revoked_at=T0,
    )
    later = DecisionContext(endpoint="portal", now=T0 + timedelta(minutes=1))
    await releases.certification_revoked(unit, later, revoked, operator_id=OPERATOR, event_time=T0)

    [revocation] = unit.events.of(ToolingRevocationDecided)
    assert revocation.release_id == unit.events.of(ReleaseDecided)[0].release_id
    types = [row.webhook_type for row in unit.deliveries.rows.values()]
    assert types == ["tooling.released.v1", "tooling.revoked.v1"]


async def test_expired_certificate_without_revoke_on_lapse_forwards_the_expired_notice() -> None:
    unit = await _with_policy(a_policy(revoke_on_lapse=False))
    await _issue(unit, _issued())
    expiry = T0 + timedelta(days=2)

    expired = CertificationExpired(
        certificate_id="cert-1",
        staff_id="staff-cert-1",
        role="compliance_officer",
        jurisdiction="MGA",
        expired_at=expiry,
    )
    later = DecisionContext(endpoint="portal", now=expiry)
    await releases.certification_expired(
        unit, later, expired, operator_id=OPERATOR, event_time=expiry
    )

    assert unit.events.of(ToolingRevocationDecided) == []
    types = [row.webhook_type for row in unit.deliveries.rows.values()]
    assert types == ["tooling.released.v1", "certification.expired.v1"]


async def test_expiring_certificate_forwards_the_expiring_notice_while_released() -> None:
    unit = await _with_policy()
    await _issue(unit, _issued())

    expiring = CertificationExpiring(
        certificate_id="cert-1",
        staff_id="staff-cert-1",
        role="compliance_officer",
        jurisdiction="MGA",
        expires_at=T0 + timedelta(days=60),
        window_opened_at=T0,
    )
    await releases.certification_expiring(unit, CTX, expiring, operator_id=OPERATOR, event_time=T0)

    types = [row.webhook_type for row in unit.deliveries.rows.values()]
    assert types == ["tooling.released.v1", "certification.expiring.v1"]


async def test_lapse_is_found_by_the_periodic_recheck_when_no_expiry_event_arrives() -> None:
    unit = await _with_policy(a_policy(revoke_on_lapse=True))
    await _issue(unit, _issued())
    _, next_check = unit.decisions.ledgers[(OPERATOR, "MGA")]
    assert next_check == T0 - timedelta(hours=1) + EIGHTEEN_MONTHS

    before = await releases.recheck_due(
        unit, DecisionContext("portal", next_check - timedelta(seconds=1))
    )
    after = await releases.recheck_due(unit, DecisionContext("portal", next_check))

    assert (before, after) == (0, 1)
    assert len(unit.events.of(ToolingRevocationDecided)) == 1


async def test_policy_store_and_decisions_serialise_on_the_jurisdiction_lock() -> None:
    # A pass committed while the jurisdiction's first policy is stored must be seen by one of
    # the two transactions: storing takes the lock exclusively, every decision shares it.
    unit = await _with_policy()
    assert unit.decisions.locks[0] == ("MGA", True)
    unit.decisions.locks.clear()
    await _issue(unit, _issued())
    assert ("MGA", False) in unit.decisions.locks
    assert all(not exclusive for _, exclusive in unit.decisions.locks)
