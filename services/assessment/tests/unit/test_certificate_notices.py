from dataclasses import replace
from datetime import datetime, timedelta

from assessment_builders import T0, certificate, staff
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.domain.certificates import Certificate, issue_certificate
from assessment.domain.notices import DueNotice, due_notices, mark_notice_sent
from contracts.catalogue import CertificationPolicy


def _emit(certs: list[Certificate], now: datetime) -> tuple[list[DueNotice], list[Certificate]]:
    """What a scheduler run does: compute due notices, then mark them sent."""
    due = due_notices(certs, now=now)
    by_id = {c.certificate_id: c for c in certs}
    for notice in due:
        cid = notice.certificate.certificate_id
        by_id[cid] = mark_notice_sent(by_id[cid], notice.kind, at=now)
    return due, list(by_id.values())


def test_no_notice_before_the_recert_window_opens() -> None:
    cert = certificate(passed_at=T0)
    assert due_notices([cert], now=cert.recert_window_opens_at - timedelta(seconds=1)) == []


def test_expiring_notice_is_due_when_the_recert_window_opens() -> None:
    cert = certificate(passed_at=T0)
    due = due_notices([cert], now=cert.recert_window_opens_at)
    assert [(n.kind, n.due_at) for n in due] == [("expiring", cert.recert_window_opens_at)]
    assert due[0].notice_key == "cert-1:expiring"


def test_expiring_notice_is_emitted_once() -> None:
    cert = certificate(passed_at=T0)
    first, certs = _emit([cert], cert.recert_window_opens_at + timedelta(hours=1))
    second, _ = _emit(certs, cert.recert_window_opens_at + timedelta(days=1))
    assert [n.kind for n in first] == ["expiring"]
    assert second == []


def test_expired_notice_emitted_once_after_downtime() -> None:
    cert = certificate(passed_at=T0)
    # the scheduler was down from before the window opened until after expiry
    after_downtime = cert.expires_at + timedelta(days=3)
    due, certs = _emit([cert], after_downtime)
    assert [n.kind for n in due] == ["expiring", "expired"]
    assert due[1].due_at == cert.expires_at
    again, _ = _emit(certs, after_downtime + timedelta(hours=1))
    assert again == []


def test_expired_notice_follows_an_earlier_expiring_notice() -> None:
    cert = certificate(passed_at=T0)
    _, certs = _emit([cert], cert.recert_window_opens_at)
    due, _ = _emit(certs, cert.expires_at)
    assert [n.kind for n in due] == ["expired"]


def test_no_notices_for_revoked_certificate() -> None:
    cert = replace(certificate(passed_at=T0), revoked_at=T0 + timedelta(days=10))
    assert due_notices([cert], now=cert.expires_at + timedelta(days=1)) == []


def test_no_notices_for_superseded_certificate() -> None:
    old = certificate(certificate_id="c1", passed_at=T0)
    renewal = issue_certificate(
        certificate_id="c2",
        verification_code="AAAA-BBBB-CCCC",
        holder=staff(),
        attempt_id="att-2",
        jurisdiction="MGA",
        role="compliance_officer",
        track_key="MGA.compliance_officer",
        track_version="v2",
        passed_at=old.recert_window_opens_at - timedelta(days=1),
        policy=CertificationPolicy(),
        predecessor=old,
    )
    assert renewal.superseded is not None
    due = due_notices([renewal.superseded, renewal.certificate], now=old.expires_at)
    assert due == []


def test_lapsed_predecessor_still_gets_its_expired_notice() -> None:
    old = certificate(certificate_id="c1", passed_at=T0)
    late_pass = old.expires_at + timedelta(days=5)
    renewal = issue_certificate(
        certificate_id="c2",
        verification_code="AAAA-BBBB-CCCC",
        holder=staff(),
        attempt_id="att-2",
        jurisdiction="MGA",
        role="compliance_officer",
        track_key="MGA.compliance_officer",
        track_version="v2",
        passed_at=late_pass,
        policy=CertificationPolicy(),
        predecessor=old,
    )
    due = due_notices([old, renewal.certificate], now=late_pass)
    assert [(n.certificate.certificate_id, n.kind) for n in due] == [
        ("c1", "expiring"),
        ("c1", "expired"),
    ]


def test_window_longer_than_validity_makes_expiring_due_at_issue() -> None:
    cert = certificate(passed_at=T0, validity_months=1, recert_window_days=90)
    due = due_notices([cert], now=T0)
    assert [(n.kind, n.due_at) for n in due] == [("expiring", T0)]


def test_marking_a_notice_twice_keeps_the_first_time() -> None:
    cert = mark_notice_sent(certificate(), "expired", at=T0)
    assert mark_notice_sent(cert, "expired", at=T0 + timedelta(days=1)).expired_notice_sent_at == T0


@settings(max_examples=80)
@given(
    run_offsets=st.lists(st.integers(min_value=0, max_value=800 * 24), min_size=1, max_size=12),
    window_days=st.integers(min_value=0, max_value=120),
)
def test_scheduler_runs_emit_each_notice_exactly_once_in_order(
    run_offsets: list[int], window_days: int
) -> None:
    cert = certificate(passed_at=T0, recert_window_days=window_days)
    certs = [cert]
    emitted: list[str] = []
    last_run = T0
    for offset in sorted(run_offsets):
        last_run = T0 + timedelta(hours=offset)
        due, certs = _emit(certs, last_run)
        emitted += [n.kind for n in due]
    expected = []
    if last_run >= cert.recert_window_opens_at:
        expected.append("expiring")
    if last_run >= cert.expires_at:
        expected.append("expired")
    assert emitted == expected
