"""A run of issuances decided at once (service.issuances), on in-memory ports."""

from datetime import timedelta

from release_bridge_fakes import FakeUnit
from release_bridge_testkit import EIGHTEEN_MONTHS, T0, a_policy

from contracts.assessment import CertificationIssued
from contracts.catalogue import ReleasePolicyPublished
from contracts.release import ReleaseDecided
from release_bridge.service import issuances, releases
from release_bridge.service.issuances import Issued
from release_bridge.service.releases import DecisionContext

CTX = DecisionContext(endpoint="portal", now=T0)
BOTH = a_policy(roles={"compliance_officer": 1, "mlro": 1})


def _issued(operator: str, certificate_id: str, *, role: str = "compliance_officer") -> Issued:
    passed = T0 - timedelta(hours=1)
    event = CertificationIssued(
        certificate_id=certificate_id,
        staff_id=f"staff-{certificate_id}",
        staff_name="Staff",
        role=role,
        jurisdiction="MGA",
        track_version="mga-2026.1",
        attempt_id=f"attempt-{certificate_id}",
        passed_at=passed,
        expires_at=passed + EIGHTEEN_MONTHS,
        verification_code="ABCD-EFGH",
    )
    return Issued(event, operator, T0 - timedelta(seconds=3))


async def _with_policy() -> FakeUnit:
    unit = FakeUnit()
    published = ReleasePolicyPublished(
        policy=BOTH, version="v1", catalogue_version="c1", published_at=T0 - timedelta(days=1)
    )
    await releases.release_policy_published(unit, CTX, published, event_time=T0)
    return unit


async def test_second_certificate_of_an_operator_in_a_run_completes_its_release() -> None:
    unit = await _with_policy()

    await issuances.certifications_issued(
        unit,
        CTX,
        [
            _issued("op-1", "c-1"),
            _issued("op-2", "c-2"),
            _issued("op-1", "c-3", role="mlro"),
            _issued("op-3", "c-4", role="mlro"),
        ],
    )

    [decided] = unit.events.of(ReleaseDecided)
    assert decided.operator_id == "op-1"
    assert sorted(e.certificate_id for e in decided.evidence) == ["c-1", "c-3"]
    assert list(unit.deliveries.rows) == [decided.release_id]
    assert {key: ledger.policy_met for key, (ledger, _) in unit.decisions.ledgers.items()} == {
        ("op-1", "MGA"): True,
        ("op-2", "MGA"): False,
        ("op-3", "MGA"): False,
    }


async def test_operators_alone_in_a_run_are_released_in_offset_order() -> None:
    unit = await _with_policy()
    for operator in ("op-b", "op-a"):
        await releases.certification_issued(
            unit,
            CTX,
            _issued(operator, f"{operator}-co").event,
            operator_id=operator,
            event_time=T0,
        )

    await issuances.certifications_issued(
        unit,
        CTX,
        [_issued("op-b", "op-b-mlro", role="mlro"), _issued("op-a", "op-a-mlro", role="mlro")],
    )

    assert [d.operator_id for d in unit.events.of(ReleaseDecided)] == ["op-b", "op-a"]
