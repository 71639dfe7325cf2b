from dataclasses import replace
from datetime import timedelta

from assessment_builders import T0, certificate, staff, track

from assessment.domain.progress import TrackProgress, complete_lesson
from assessment.domain.readiness import assess_readiness, expiring_within, staff_summaries
from contracts.common import ReleasePolicy, RoleRequirement

NOW = T0 + timedelta(days=30)


def _policy(jurisdiction: str = "MGA", **roles: int) -> ReleasePolicy:
    reqs = roles or {"compliance_officer": 1}
    return ReleasePolicy(
        jurisdiction=jurisdiction,
        requirements=[RoleRequirement(role=r, count=n) for r, n in reqs.items()],
        tooling=[f"{jurisdiction.lower()}-licensing-suite"],
    )


def test_policy_met_when_compliance_officer_holds_valid_certificate() -> None:
    [mga] = assess_readiness(
        jurisdictions=["MGA"], policies={"MGA": _policy()}, certificates=[certificate()], now=NOW
    )
    assert mga.met
    assert [(r.role, r.needed, r.have, r.missing) for r in mga.requirements] == [
        ("compliance_officer", 1, 1, 0)
    ]
    [evidence] = mga.evidence()
    assert (evidence.certificate_id, evidence.role, evidence.track_version) == (
        "cert-1",
        "compliance_officer",
        "v1",
    )


def test_expired_certificate_does_not_satisfy_release_policy() -> None:
    cert = certificate(passed_at=T0)
    [mga] = assess_readiness(
        jurisdictions=["MGA"], policies={"MGA": _policy()}, certificates=[cert], now=cert.expires_at
    )
    assert not mga.met
    assert [(r.role, r.needed, r.have) for r in mga.unmet] == [("compliance_officer", 1, 0)]


def test_revoked_certificate_does_not_satisfy_release_policy() -> None:
    cert = replace(certificate(passed_at=T0), revoked_at=T0 + timedelta(days=1))
    [mga] = assess_readiness(
        jurisdictions=["MGA"], policies={"MGA": _policy()}, certificates=[cert], now=NOW
    )
    assert not mga.met


def test_missing_requirements_report_role_needed_and_have() -> None:
    certs = [
        certificate(certificate_id="c1", holder=staff("s1")),
        certificate(certificate_id="c2", holder=staff("s2"), role="mlro"),
    ]
    policy = _policy(compliance_officer=2, mlro=1)
    [mga] = assess_readiness(
        jurisdictions=["MGA"], policies={"MGA": policy}, certificates=certs, now=NOW
    )
    assert not mga.met
    assert [(r.role, r.needed, r.have, r.missing) for r in mga.unmet] == [
        ("compliance_officer", 2, 1, 1)
    ]


def test_each_staff_member_counts_once_per_role() -> None:
    older = certificate(certificate_id="c1", passed_at=T0)
    newer = certificate(certificate_id="c2", passed_at=T0 + timedelta(days=1))
    [mga] = assess_readiness(
        jurisdictions=["MGA"],
        policies={"MGA": _policy(compliance_officer=2)},
        certificates=[older, newer],
        now=NOW,
    )
    assert mga.requirements[0].have == 1
    assert mga.requirements[0].holders[0].certificate_id == "c2"


def test_certificate_for_another_jurisdiction_does_not_count() -> None:
    [gcb, mga] = assess_readiness(
        jurisdictions=["MGA", "GCB"],
        policies={"MGA": _policy(), "GCB": _policy("GCB")},
        certificates=[certificate(jurisdiction="GCB")],
        now=NOW,
    )
    assert (gcb.jurisdiction, gcb.met) == ("GCB", True)
    assert (mga.jurisdiction, mga.met) == ("MGA", False)


def test_jurisdiction_without_policy_is_never_met() -> None:
    [iom] = assess_readiness(jurisdictions=["IOM"], policies={}, certificates=[], now=NOW)
    assert (iom.policy, iom.met, iom.requirements) == (None, False, ())


def test_expiring_within_lists_valid_certificates_expiring_soon() -> None:
    soon = certificate(certificate_id="soon", passed_at=T0 - timedelta(days=520))
    later = certificate(certificate_id="later", passed_at=T0)
    gone = certificate(certificate_id="gone", passed_at=T0 - timedelta(days=900))
    listed = expiring_within([later, soon, gone], now=T0, within=timedelta(days=60))
    assert [c.certificate_id for c in listed] == ["soon"]


def test_staff_summary_reports_progress_certificates_and_expiring_soon() -> None:
    tr = track()
    ada, bob, eve = (
        staff("s1", name="Ada"),
        staff("s2", name="Bob"),
        staff("s3", name="Eve", roles=()),
    )
    progress = complete_lesson(
        TrackProgress("s2", tr.track_key), tr, module_id="core-aml", lesson_id="core-aml-l0", now=T0
    ).progress
    ada_cert = certificate(certificate_id="c-ada", holder=ada, passed_at=T0 - timedelta(days=500))
    rows = staff_summaries(
        staff=[bob, ada, eve],
        tracks=[tr],
        progress=[progress],
        certificates=[ada_cert],
        now=T0,
        expiring_within_days=60,
    )
    assert [(r.name, r.percent, r.certificate_status, r.expiring_soon) for r in rows] == [
        ("Ada", 0, "valid", True),
        ("Bob", 25, None, False),
    ]
    assert rows[0].expires_at == ada_cert.expires_at
