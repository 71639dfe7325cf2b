"""Support actions (role academy_support): revoke a certificate, reset attempts; both audited."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters import attempt_repo, certificate_repo, staff_repo
from assessment.adapters.track_store import TrackStore
from assessment.domain import events as domain_events
from assessment.domain.certificates import Certificate, revoke_certificate
from assessment.domain.errors import CertificateNotFound, StaffNotFound, TrackNotFound
from assessment.domain.staff import StaffMember
from assessment.service.operators import require_known
from assessment.service.ports import EventSink, stage


async def revoke(
    session: AsyncSession,
    *,
    operator_id: str,
    certificate_id: str,
    actor: str,
    reason: str,
    events: EventSink,
    now: datetime,
) -> Certificate:
    """Revoke from now on; the actor and reason are stored and emitted (CertificationRevoked)."""
    await require_known(session, operator_id)
    found = await certificate_repo.get(session, operator_id, certificate_id)
    if found is None:
        raise CertificateNotFound(reference=certificate_id)
    await staff_repo.get(session, operator_id, found.staff_id, lock=True)
    certificate = await certificate_repo.get(session, operator_id, certificate_id, lock=True)
    assert certificate is not None
    revoked = revoke_certificate(certificate, actor=actor, reason=reason, now=now)
    await certificate_repo.save(session, revoked, certificate_repo.REVOCATION)
    data = domain_events.certification_revoked(revoked)
    await stage(session, events, data, tenant=operator_id, subject=revoked.staff_id)
    return revoked


async def reset_attempts(
    session: AsyncSession,
    *,
    operator_id: str,
    staff_id: str,
    track_key: str,
    actor: str,
    reason: str,
    tracks: TrackStore,
    events: EventSink,
    now: datetime,
) -> StaffMember:
    """Start a new certification cycle: no attempts used, no cooldown (AttemptsReset)."""
    await require_known(session, operator_id)
    holder = await staff_repo.get(session, operator_id, staff_id, lock=True)
    if holder is None:
        raise StaffNotFound(staff_id=staff_id)
    track = await tracks.current(session, track_key)
    if track is None:
        raise TrackNotFound(track_key=track_key)
    await attempt_repo.add_reset(
        session, holder, track_key=track_key, actor=actor, reason=reason, at=now
    )
    data = domain_events.attempts_reset(
        staff_id=staff_id, track=track, actor=actor, reason=reason, reset_at=now
    )
    await stage(session, events, data, tenant=operator_id, subject=staff_id)
    return holder
