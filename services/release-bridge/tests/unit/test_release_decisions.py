from datetime import timedelta

import pytest
from release_bridge_testkit import T0, a_certificate, a_policy

from release_bridge.domain.decisions import (
    CertificateNotice,
    ReleaseLedger,
    decide,
    force_release,
    release_id_for,
)

EXPIRY = T0 + timedelta(days=30)


def _fresh() -> ReleaseLedger:
    return ReleaseLedger(operator_id="op-123", jurisdiction="MGA")


def _released(*, revoke_on_lapse: bool = False) -> ReleaseLedger:
    outcome = decide(
        _fresh(),
        a_policy(revoke_on_lapse=revoke_on_lapse),
        [a_certificate(expires_at=EXPIRY)],
        now=T0,
    )
    return outcome.ledger


def test_first_qualifying_pass_releases_tooling_in_epoch_one() -> None:
    outcome = decide(_fresh(), a_policy(), [a_certificate()], now=T0)

    assert outcome.release is not None
    assert outcome.release.epoch == 1
    assert outcome.release.reason == "certification"
    assert outcome.release.tooling == ["mga-licensing-suite"]
    assert outcome.release.decided_at == T0
    assert outcome.release.release_id == release_id_for("op-123", "MGA", 1)
    assert outcome.ledger == ReleaseLedger(
        "op-123",
        "MGA",
        epoch=1,
        released=True,
        release_id=outcome.release.release_id,
        policy_met=True,
        tooling=("mga-licensing-suite",),
    )


def test_pass_that_does_not_meet_the_policy_releases_nothing() -> None:
    outcome = decide(_fresh(), a_policy(), [a_certificate(role="mlro")], now=T0)

    assert outcome.release is None
    assert outcome.ledger == _fresh()


def test_second_pass_in_same_epoch_does_not_release_again() -> None:
    second_pass = [a_certificate(), a_certificate("cert-2", staff_id="staff-2")]

    outcome = decide(_released(), a_policy(), second_pass, now=T0 + timedelta(hours=1))

    assert outcome.release is None
    assert outcome.ledger == _released()


def test_release_id_is_the_same_on_every_replica_and_retry() -> None:
    replica_a = decide(_fresh(), a_policy(), [a_certificate()], now=T0)
    replica_b = decide(_fresh(), a_policy(), [a_certificate()], now=T0 + timedelta(seconds=3))

    assert replica_a.release is not None
    assert replica_b.release is not None
    assert replica_a.release.release_id == replica_b.release.release_id


def test_release_ids_differ_per_operator_jurisdiction_and_epoch() -> None:
    ids = {
        release_id_for("op-1", "MGA", 1),
        release_id_for("op-2", "MGA", 1),
        release_id_for("op-1", "GCB", 1),
        release_id_for("op-1", "MGA", 2),
    }
    assert len(ids) == 4


def test_lapse_with_revoke_on_lapse_revokes_and_ends_the_epoch() -> None:
    ledger = _released(revoke_on_lapse=True)

    outcome = decide(ledger, a_policy(revoke_on_lapse=True), [], now=EXPIRY)

    assert outcome.revocation is not None
    assert outcome.revocation.release_id == ledger.release_id
    assert outcome.revocation.tooling == ["mga-licensing-suite"]
    assert outcome.revocation.cause == "policy_lapsed: needs 1 compliance_officer, has 0"
    assert not outcome.ledger.released
    assert outcome.ledger.epoch == 1


def test_lapse_without_revoke_on_lapse_keeps_tooling_and_forwards_the_expired_notice() -> None:
    ledger = _released()
    notice = CertificateNotice("expired", "cert-1", "staff-1", "compliance_officer", EXPIRY, EXPIRY)

    outcome = decide(ledger, a_policy(), [], now=EXPIRY, notice=notice)

    assert outcome.revocation is None
    assert outcome.ledger.released
    assert not outcome.ledger.policy_met
    assert outcome.notice is not None
    assert outcome.notice.type == "certification.expired.v1"
    assert outcome.notice.data.certificate_id == "cert-1"


def test_lapse_with_revoke_on_lapse_sends_the_revocation_instead_of_the_expired_notice() -> None:
    notice = CertificateNotice("expired", "cert-1", "staff-1", "compliance_officer", EXPIRY, EXPIRY)

    outcome = decide(
        _released(revoke_on_lapse=True),
        a_policy(revoke_on_lapse=True),
        [],
        now=EXPIRY,
        notice=notice,
    )

    assert outcome.revocation is not None
    assert outcome.notice is None


def test_expiring_notice_is_forwarded_while_tooling_is_released() -> None:
    notice = CertificateNotice(
        "expiring", "cert-1", "staff-1", "compliance_officer", EXPIRY, T0 + timedelta(days=1)
    )

    outcome = decide(
        _released(), a_policy(), [a_certificate(expires_at=EXPIRY)], now=T0, notice=notice
    )

    assert outcome.notice is not None
    assert outcome.notice.type == "certification.expiring.v1"
    assert outcome.release is None


def test_notice_is_not_forwarded_when_nothing_was_released() -> None:
    notice = CertificateNotice("expiring", "cert-1", "staff-1", "compliance_officer", EXPIRY, T0)

    outcome = decide(_fresh(), a_policy(), [], now=T0, notice=notice)

    assert outcome.notice is None


def test_notice_for_a_role_the_policy_does_not_need_is_not_forwarded() -> None:
    notice = CertificateNotice("expiring", "cert-9", "staff-9", "mlro", EXPIRY, T0)

    outcome = decide(
        _released(), a_policy(), [a_certificate(expires_at=EXPIRY)], now=T0, notice=notice
    )

    assert outcome.notice is None


def test_requalification_after_revocation_starts_a_new_epoch_with_a_new_release() -> None:
    policy = a_policy(revoke_on_lapse=True)
    revoked = decide(_released(revoke_on_lapse=True), policy, [], now=EXPIRY).ledger
    renewed = a_certificate("cert-2", passed_at=EXPIRY + timedelta(days=1))

    outcome = decide(revoked, policy, [renewed], now=EXPIRY + timedelta(days=1))

    assert outcome.release is not None
    assert outcome.release.epoch == 2
    assert outcome.release.release_id == release_id_for("op-123", "MGA", 2)
    assert outcome.release.release_id != revoked.release_id
    assert [e.certificate_id for e in outcome.release.evidence] == ["cert-2"]


def test_requalification_without_a_revocation_does_not_release_again() -> None:
    lapsed = decide(_released(), a_policy(), [], now=EXPIRY).ledger
    renewed = a_certificate("cert-2", passed_at=EXPIRY + timedelta(days=1))

    outcome = decide(lapsed, a_policy(), [renewed], now=EXPIRY + timedelta(days=1))

    assert outcome.release is None
    assert outcome.ledger.epoch == 1
    assert outcome.ledger.policy_met


def test_revocation_takes_back_the_tooling_that_was_released() -> None:
    released = _released(revoke_on_lapse=True)
    widened = a_policy(revoke_on_lapse=True, tooling=("mga-licensing-suite", "mga-reporting"))

    outcome = decide(released, widened, [], now=EXPIRY)

    assert outcome.revocation is not None
    assert outcome.revocation.tooling == ["mga-licensing-suite"]


def test_revocation_happens_once_per_lapse() -> None:
    policy = a_policy(revoke_on_lapse=True)
    revoked = decide(_released(revoke_on_lapse=True), policy, [], now=EXPIRY).ledger

    again = decide(revoked, policy, [], now=EXPIRY + timedelta(hours=1))

    assert again.revocation is None


def test_force_release_is_a_manual_override_with_actor_and_reason() -> None:
    outcome = force_release(
        _fresh(), a_policy(), [], actor="support@vendor", reason="regulator approved", now=T0
    )

    assert outcome.release is not None
    assert outcome.release.reason == "manual_override"
    assert outcome.release.override is not None
    assert outcome.release.override.actor == "support@vendor"
    assert outcome.release.override.reason == "regulator approved"
    assert outcome.release.evidence == []
    assert outcome.ledger.released
    assert not outcome.ledger.policy_met


def test_force_release_when_already_released_does_nothing() -> None:
    outcome = force_release(
        _released(), a_policy(), [a_certificate()], actor="s", reason="r", now=T0
    )

    assert outcome.release is None
    assert outcome.ledger == _released()


def test_forced_release_is_not_revoked_while_the_policy_was_never_met() -> None:
    policy = a_policy(revoke_on_lapse=True)
    forced = force_release(_fresh(), policy, [], actor="s", reason="r", now=T0).ledger

    outcome = decide(forced, policy, [], now=T0 + timedelta(days=1))

    assert outcome.revocation is None
    assert outcome.ledger.released


def test_force_release_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        force_release(_fresh(), a_policy(), [], actor="s", reason="", now=T0)


def test_ledger_and_policy_must_be_for_the_same_jurisdiction() -> None:
    with pytest.raises(ValueError, match="ledger is for MGA, policy is for GCB"):
        decide(_fresh(), a_policy(jurisdiction="GCB"), [], now=T0)
