"""The operator's readiness view (assessment) and the release bridge apply one rule, so for any
certificates they agree whether tooling should be released and on the evidence."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from assessment.domain.certificates import Certificate
from assessment.domain.readiness import assess_readiness
from contracts.common import ReleasePolicy, RoleRequirement
from release_bridge.domain.policy import HeldCertificate, evaluate_policy

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ROLES = ["compliance_officer", "mlro", "kyc_analyst"]

record = st.fixed_dictionaries(
    {
        "staff_id": st.sampled_from(["ada", "bob", "cy", "dan", "eve"]),
        "role": st.sampled_from(ROLES),
        "jurisdiction": st.sampled_from(["MGA", "GCB"]),
        "passed": st.integers(-900, 3),
        "lasts": st.integers(1, 900),
        "revoked": st.booleans(),
    }
)
requirements = st.lists(
    st.tuples(st.sampled_from(ROLES), st.integers(1, 3)), min_size=1, max_size=4
)


def _in_assessment(n: int, r: dict[str, object]) -> Certificate:
    passed = NOW + timedelta(days=int(r["passed"]))  # type: ignore[call-overload]
    return Certificate(
        certificate_id=f"cert-{n}",
        operator_id="op-1",
        staff_id=str(r["staff_id"]),
        staff_name=str(r["staff_id"]).title(),
        jurisdiction=str(r["jurisdiction"]),
        role=str(r["role"]),
        track_key=f"{r['jurisdiction']}.{r['role']}",
        track_version="v1",
        attempt_id=f"att-{n}",
        passed_at=passed,
        expires_at=passed + timedelta(days=int(r["lasts"])),  # type: ignore[call-overload]
        recert_window_opens_at=passed,
        verification_code=f"CODE-{n}",
        revoked_at=passed if r["revoked"] else None,
    )


def _in_the_bridge(cert: Certificate) -> HeldCertificate:
    return HeldCertificate(
        certificate_id=cert.certificate_id,
        staff_id=cert.staff_id,
        role=cert.role,
        jurisdiction=cert.jurisdiction,
        track_version=cert.track_version,
        passed_at=cert.passed_at,
        expires_at=cert.expires_at,
        revoked=cert.revoked_at is not None,
    )


@given(st.lists(record, max_size=14), requirements)
def test_readiness_and_the_bridge_agree_for_any_certificates(
    records: list[dict[str, object]], needs: list[tuple[str, int]]
) -> None:
    policy = ReleasePolicy(
        jurisdiction="MGA",
        requirements=[RoleRequirement(role=role, count=count) for role, count in needs],
        tooling=["mga-suite"],
    )
    certificates = [_in_assessment(n, r) for n, r in enumerate(records)]
    [view] = assess_readiness(
        jurisdictions=["MGA"], policies={"MGA": policy}, certificates=certificates, now=NOW
    )
    decision = evaluate_policy(policy, map(_in_the_bridge, certificates), now=NOW)
    assert view.met == decision.met
    assert {(r.role, r.needed, r.have) for r in view.unmet} == {
        (m.role, m.needed, m.held) for m in decision.missing
    }
    cited = [e.certificate_id for e in view.evidence()]
    assert cited == [e.certificate_id for e in decision.evidence]
