from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from assessment_builders import (
    T0,
    certificate,
    correct_answers,
    finished,
    history,
    staff,
    started,
    track,
)

from assessment.domain.attempts import certify, submit_attempt
from assessment.domain.certificates import (
    Certificate,
    Issuance,
    PublicCertificateView,
    issue_certificate,
    latest_certificate,
    public_view,
    revoke_certificate,
)
from assessment.domain.errors import CertificateAlreadyRevoked
from contracts.catalogue import CertificationPolicy


def test_certificate_expires_18_months_after_pass() -> None:
    cert = certificate(passed_at=datetime(2026, 11, 24, 10, 15, tzinfo=UTC))
    assert cert.expires_at == datetime(2028, 5, 24, 10, 15, tzinfo=UTC)
    assert cert.is_valid_at(cert.expires_at - timedelta(seconds=1))
    assert cert.status_at(cert.expires_at) == "expired"


def test_certificate_validity_clamps_to_month_end() -> None:
    cert = certificate(passed_at=datetime(2026, 8, 31, 12, tzinfo=UTC))
    assert cert.expires_at == datetime(2028, 2, 29, 12, tzinfo=UTC)


def test_recert_window_opens_60_days_before_expiry() -> None:
    cert = certificate(passed_at=T0)
    assert cert.recert_window_opens_at == cert.expires_at - timedelta(days=60)
    assert not cert.recert_window_open_at(cert.recert_window_opens_at - timedelta(seconds=1))
    assert cert.recert_window_open_at(cert.recert_window_opens_at)


def test_pass_issues_certificate_for_the_attempt_track_version_and_policy() -> None:
    tr = track(version="v7", validity_months=12, recert_window_days=30)
    attempt = started(tr, history(), at=T0)
    passed = submit_attempt(attempt, correct_answers(attempt.exam), now=T0 + timedelta(minutes=9))
    issuance = certify(
        passed.attempt,
        holder=staff(),
        certificate_id="c1",
        verification_code="7K3M-Q9XD-2HPV",
        predecessor=None,
    )
    cert = issuance.certificate
    assert (cert.track_version, cert.attempt_id, cert.recertifies) == ("v7", "att-1", None)
    assert cert.passed_at == T0 + timedelta(minutes=9)
    assert cert.expires_at == datetime(2027, 11, 24, 10, 9, tzinfo=UTC)
    assert cert.recert_window_opens_at == cert.expires_at - timedelta(days=30)
    assert issuance.superseded is None


def test_failed_attempt_earns_no_certificate() -> None:
    failed = finished(track(), history(), at=T0, passed=False)
    with pytest.raises(ValueError, match="did not pass"):
        certify(
            failed, holder=staff(), certificate_id="c1", verification_code="x", predecessor=None
        )


def test_recertification_supersedes_valid_predecessor_and_records_it() -> None:
    old = certificate(certificate_id="c1", passed_at=T0)
    renewed_at = old.recert_window_opens_at + timedelta(days=3)
    issuance = _renew(old, renewed_at)
    assert issuance.certificate.recertifies == "c1"
    assert issuance.superseded is not None
    assert issuance.superseded.superseded_by == "c2"
    assert issuance.superseded.status_at(renewed_at) == "superseded"
    # history is kept: before the renewal, the old certificate was valid
    assert issuance.superseded.is_valid_at(renewed_at - timedelta(seconds=1))


def test_lapsed_predecessor_is_recorded_but_not_superseded() -> None:
    old = certificate(certificate_id="c1", passed_at=T0)
    issuance = _renew(old, old.expires_at + timedelta(days=10))
    assert issuance.certificate.recertifies == "c1"
    assert issuance.superseded is None


def test_predecessor_must_belong_to_the_same_holder() -> None:
    old = certificate(certificate_id="c1", holder=staff("someone-else"))
    with pytest.raises(ValueError, match="another holder"):
        _renew(old, T0 + timedelta(days=500))


def test_latest_certificate_ignores_revoked_and_superseded() -> None:
    first = certificate(certificate_id="c1", passed_at=T0)
    issuance = _renew(first, first.recert_window_opens_at)
    second = issuance.certificate
    assert issuance.superseded is not None
    certs = [issuance.superseded, second]
    key = "MGA.compliance_officer"
    assert latest_certificate(certs, staff_id="staff-1", track_key=key) == second
    revoked = revoke_certificate(second, actor="support-1", reason="fraud", now=T0)
    assert (
        latest_certificate([issuance.superseded, revoked], staff_id="staff-1", track_key=key)
        is None
    )


def test_revoked_certificate_is_not_valid_from_revocation_on() -> None:
    cert = certificate(passed_at=T0)
    at = T0 + timedelta(days=30)
    revoked = revoke_certificate(cert, actor="support-1", reason="exam misconduct", now=at)
    assert revoked.is_valid_at(at - timedelta(seconds=1))
    assert revoked.status_at(at) == "revoked"


def test_revoking_twice_is_refused() -> None:
    revoked = revoke_certificate(certificate(), actor="support-1", reason="r", now=T0)
    with pytest.raises(CertificateAlreadyRevoked, match="already revoked"):
        revoke_certificate(revoked, actor="support-2", reason="again", now=T0)


def test_public_view_exposes_no_personal_data() -> None:
    holder = staff(name="Ada Compliance")
    cert = certificate(holder=holder, passed_at=T0)
    view = public_view(cert, now=T0 + timedelta(days=1))
    assert set(PublicCertificateView.model_fields) == {
        "verification_code",
        "valid",
        "status",
        "holder_name",
        "jurisdiction",
        "role",
        "issued_at",
        "expires_at",
        "checked_at",
    }
    text = view.model_dump_json()
    assert holder.email not in text
    assert holder.staff_id not in text
    assert cert.certificate_id not in text
    assert (view.valid, view.holder_name, view.jurisdiction) == (True, "Ada Compliance", "MGA")
    assert '"expires_at":"2028-05-24T10:00:00Z"' in text


def test_public_view_reports_expired_and_revoked_certificates_as_invalid() -> None:
    cert = certificate(passed_at=T0)
    expired = public_view(cert, now=cert.expires_at)
    assert (expired.valid, expired.status) == (False, "expired")
    revoked = revoke_certificate(cert, actor="support-1", reason="r", now=T0 + timedelta(days=1))
    view = public_view(revoked, now=T0 + timedelta(days=2))
    assert (view.valid, view.status) == (False, "revoked")


def _renew(old: Certificate, at: datetime) -> Issuance:
    return issue_certificate(
        certificate_id="c2",
        verification_code="AAAA-BBBB-CCCC",
        holder=staff(),
        attempt_id="att-2",
        jurisdiction="MGA",
        role="compliance_officer",
        track_key="MGA.compliance_officer",
        track_version="v2",
        passed_at=at,
        policy=CertificationPolicy(),
        predecessor=old,
    )


def test_status_follows_revocation_before_expiry() -> None:
    cert = replace(certificate(passed_at=T0), revoked_at=T0)
    assert cert.status_at(cert.expires_at + timedelta(days=1)) == "revoked"
