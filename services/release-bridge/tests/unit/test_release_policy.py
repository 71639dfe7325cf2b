from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from release_bridge_testkit import T0, a_certificate, a_policy, a_training_record

from contracts.common import Evidence
from release_bridge.domain.policy import HeldCertificate, MissingRequirement, evaluate_policy


def test_valid_compliance_officer_certificate_meets_the_default_policy() -> None:
    evaluation = evaluate_policy(a_policy(), [a_certificate()], now=T0)

    assert evaluation.met
    assert evaluation.missing == ()
    assert [e.certificate_id for e in evaluation.evidence] == ["cert-1"]


def test_expired_certificate_does_not_satisfy_release_policy() -> None:
    expired = a_certificate(passed_at=T0 - timedelta(days=600), expires_at=T0)

    evaluation = evaluate_policy(a_policy(), [expired], now=T0)

    assert not evaluation.met
    assert evaluation.missing == (MissingRequirement("compliance_officer", needed=1, held=0),)


def test_revoked_certificate_does_not_satisfy_release_policy() -> None:
    evaluation = evaluate_policy(a_policy(), [a_certificate(revoked=True)], now=T0)

    assert not evaluation.met


def test_certificate_passed_after_the_evaluation_time_does_not_count() -> None:
    evaluation = evaluate_policy(
        a_policy(), [a_certificate(passed_at=T0 + timedelta(days=1))], now=T0
    )

    assert not evaluation.met


def test_certificate_from_another_jurisdiction_does_not_count() -> None:
    evaluation = evaluate_policy(a_policy(), [a_certificate(jurisdiction="GCB")], now=T0)

    assert not evaluation.met


def test_certificate_for_another_role_does_not_count() -> None:
    evaluation = evaluate_policy(a_policy(), [a_certificate(role="mlro")], now=T0)

    assert not evaluation.met


def test_missing_requirement_says_how_many_are_needed_and_held() -> None:
    policy = a_policy(roles={"compliance_officer": 1, "mlro": 2})

    evaluation = evaluate_policy(policy, [a_certificate(role="mlro")], now=T0)

    assert evaluation.describe_missing() == (
        "needs 1 compliance_officer, has 0; needs 2 mlro, has 1"
    )


def test_two_certificates_of_one_person_count_once() -> None:
    policy = a_policy(roles={"compliance_officer": 2})
    certificates = [a_certificate("c-1"), a_certificate("c-2", passed_at=T0 - timedelta(days=2))]

    evaluation = evaluate_policy(policy, certificates, now=T0)

    assert not evaluation.met
    assert str(evaluation.missing[0]) == "needs 2 compliance_officer, has 1"


def test_evidence_prefers_the_certificate_valid_longest() -> None:
    older = a_certificate("c-old", staff_id="s-1", passed_at=T0 - timedelta(days=300))
    newer = a_certificate("c-new", staff_id="s-2", passed_at=T0 - timedelta(days=10))

    evaluation = evaluate_policy(a_policy(), [older, newer], now=T0)

    assert [e.certificate_id for e in evaluation.evidence] == ["c-new"]


def test_evidence_carries_the_certificate_details_for_the_contract() -> None:
    cert = a_certificate(training=a_training_record())

    (evidence,) = evaluate_policy(a_policy(), [cert], now=T0).evidence

    assert evidence == Evidence(
        certificate_id=cert.certificate_id,
        staff_id=cert.staff_id,
        role=cert.role,
        track_version=cert.track_version,
        passed_at=cert.passed_at,
        expires_at=cert.expires_at,
        training=cert.training,
    )


def test_policy_lapses_when_the_last_needed_certificate_expires() -> None:
    policy = a_policy(roles={"compliance_officer": 2})
    certificates = [
        a_certificate("c-1", staff_id="s-1", expires_at=T0 + timedelta(days=30)),
        a_certificate("c-2", staff_id="s-2", expires_at=T0 + timedelta(days=90)),
        a_certificate("c-3", staff_id="s-3", expires_at=T0 + timedelta(days=60)),
    ]

    evaluation = evaluate_policy(policy, certificates, now=T0)

    assert evaluation.lapses_at == T0 + timedelta(days=60)
    assert [e.certificate_id for e in evaluation.evidence] == ["c-2", "c-3"]


@given(
    st.permutations(
        [
            a_certificate(
                f"c-{i}", staff_id=f"s-{i % 4}", role=role, passed_at=T0 - timedelta(days=i)
            )
            for i in range(8)
            for role in ("compliance_officer", "mlro")
        ]
    )
)
def test_evidence_does_not_depend_on_the_order_certificates_arrive_in(
    certificates: list[HeldCertificate],
) -> None:
    policy = a_policy(roles={"compliance_officer": 2, "mlro": 1})
    expected = evaluate_policy(policy, sorted(certificates, key=lambda c: c.certificate_id), now=T0)

    assert evaluate_policy(policy, certificates, now=T0) == expected
