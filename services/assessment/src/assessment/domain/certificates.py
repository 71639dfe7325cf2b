"""Certificates: issue on pass, renew (keeping history), revoke, and the public verification view.

Renewal rule: passing while the previous certificate of the same track is still valid *supersedes*
it at the new pass time. A superseded certificate keeps its dates for history but no longer counts
anywhere and gets no expiring/expired notices, because the holder is continuously certified; an
"expired" notice for it would wrongly tell the portal (and the release bridge) that certification
lapsed. A previous certificate that had already expired is not superseded: it really lapsed, and
its notices stay due. Either way the new certificate records it in `recertifies`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from assessment.domain.errors import CertificateAlreadyRevoked
from assessment.domain.staff import StaffMember
from assessment.domain.timeutil import add_months, require_utc
from contracts.base import Model, UtcDatetime
from contracts.catalogue import CertificationPolicy

CertificateStatus = Literal["not_yet_valid", "valid", "expired", "revoked", "superseded"]


@dataclass(frozen=True)
class Certificate:
    certificate_id: str
    operator_id: str
    staff_id: str
    staff_name: str
    jurisdiction: str
    role: str
    track_key: str
    track_version: str
    attempt_id: str
    passed_at: datetime
    expires_at: datetime
    recert_window_opens_at: datetime
    verification_code: str
    recertifies: str | None = None
    superseded_by: str | None = None
    superseded_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revocation_reason: str | None = None
    expiring_notice_sent_at: datetime | None = None
    expired_notice_sent_at: datetime | None = None

    def status_at(self, now: datetime) -> CertificateStatus:
        """Status at an instant; revocation and supersession count only from when they happened."""
        if self.revoked_at is not None and now >= self.revoked_at:
            return "revoked"
        if self.superseded_at is not None and now >= self.superseded_at:
            return "superseded"
        if now < self.passed_at:
            return "not_yet_valid"
        if now >= self.expires_at:
            return "expired"
        return "valid"

    def is_valid_at(self, now: datetime) -> bool:
        return self.status_at(now) == "valid"

    def counts_at(self, now: datetime) -> bool:
        """Counts towards a release policy (`contracts.release_policy`): valid at `now`."""
        return self.is_valid_at(now)

    def recert_window_open_at(self, now: datetime) -> bool:
        return now >= self.recert_window_opens_at


@dataclass(frozen=True)
class Issuance:
    """A new certificate, plus the predecessor as updated when this one supersedes it."""

    certificate: Certificate
    superseded: Certificate | None

    def applied_to(self, certificates: Iterable[Certificate]) -> list[Certificate]:
        """The holder's `certificates` as they stand once this issuance is stored (the new one
        added, the superseded one updated), newest pass first like the store lists them."""
        replaced = self.superseded
        stored = [
            replaced if replaced is not None and c.certificate_id == replaced.certificate_id else c
            for c in certificates
        ]
        return sorted([self.certificate, *stored], key=lambda c: c.passed_at, reverse=True)


class PublicCertificateView(Model):
    """What anyone holding the verification code may see: no email, ids or other personal data."""

    verification_code: str
    valid: bool
    status: CertificateStatus
    holder_name: str
    jurisdiction: str
    role: str
    issued_at: UtcDatetime
    expires_at: UtcDatetime
    checked_at: UtcDatetime


def expiry_for(passed_at: datetime, policy: CertificationPolicy) -> tuple[datetime, datetime]:
    """(expires_at, recert_window_opens_at) for a pass under a certification policy."""
    expires_at = add_months(require_utc(passed_at, name="passed_at"), policy.validity_months)
    return expires_at, expires_at - timedelta(days=policy.recert_window_days)


def issue_certificate(
    *,
    certificate_id: str,
    verification_code: str,
    holder: StaffMember,
    attempt_id: str,
    jurisdiction: str,
    role: str,
    track_key: str,
    track_version: str,
    passed_at: datetime,
    policy: CertificationPolicy,
    predecessor: Certificate | None,
) -> Issuance:
    """Issue for a pass on `track_version`; see the module docstring for the renewal rule."""
    passed_at = require_utc(passed_at, name="passed_at")
    expires_at, window_opens_at = expiry_for(passed_at, policy)
    recertifies: str | None = None
    superseded: Certificate | None = None
    if predecessor is not None:
        if (predecessor.staff_id, predecessor.track_key) != (holder.staff_id, track_key):
            raise ValueError("predecessor belongs to another holder or track")
        if predecessor.status_at(passed_at) != "revoked":
            recertifies = predecessor.certificate_id
        if predecessor.is_valid_at(passed_at):
            superseded = replace(predecessor, superseded_by=certificate_id, superseded_at=passed_at)
    certificate = Certificate(
        certificate_id=certificate_id,
        operator_id=holder.operator_id,
        staff_id=holder.staff_id,
        staff_name=holder.name,
        jurisdiction=jurisdiction,
        role=role,
        track_key=track_key,
        track_version=track_version,
        attempt_id=attempt_id,
        passed_at=passed_at,
        expires_at=expires_at,
        recert_window_opens_at=window_opens_at,
        verification_code=verification_code,
        recertifies=recertifies,
    )
    return Issuance(certificate=certificate, superseded=superseded)


def latest_certificate(
    certificates: Iterable[Certificate], *, staff_id: str, track_key: str
) -> Certificate | None:
    """The holder's newest certificate for a track that is neither revoked nor superseded."""
    candidates = [
        c
        for c in certificates
        if c.staff_id == staff_id
        and c.track_key == track_key
        and c.revoked_at is None
        and c.superseded_by is None
    ]
    return max(candidates, key=lambda c: c.passed_at, default=None)


def revoke_certificate(
    certificate: Certificate, *, actor: str, reason: str, now: datetime
) -> Certificate:
    """Revoke from `now` on; revoking twice is refused so the first actor and reason stand."""
    if certificate.revoked_at is not None:
        raise CertificateAlreadyRevoked(
            certificate_id=certificate.certificate_id, revoked_at=certificate.revoked_at
        )
    if not reason.strip():
        raise ValueError("a revocation needs a reason")
    return replace(
        certificate,
        revoked_at=require_utc(now),
        revoked_by=actor,
        revocation_reason=reason,
    )


def public_view(certificate: Certificate, *, now: datetime) -> PublicCertificateView:
    status = certificate.status_at(require_utc(now))
    return PublicCertificateView(
        verification_code=certificate.verification_code,
        valid=status == "valid",
        status=status,
        holder_name=certificate.staff_name,
        jurisdiction=certificate.jurisdiction,
        role=certificate.role,
        issued_at=certificate.passed_at,
        expires_at=certificate.expires_at,
        checked_at=now,
    )
