"""Support actions (role academy_support): revoke a certificate, reset attempts, waive the
training rule; each audited (actor and reason in the event)."""

from dataclasses import dataclass
from datetime import datetime

from assessment.domain import events as domain_events
from assessment.domain.certificates import Certificate, revoke_certificate
from assessment.domain.eligibility import missing_modules
from assessment.domain.errors import CertificateNotFound, StaffNotFound, TrackNotFound
from assessment.domain.staff import StaffMember
from assessment.service import evidence
from assessment.service.operators import require_known
from assessment.service.ports import REVOCATION, AssessmentUnit, stage
from contracts.catalogue import TrackPublished


@dataclass(frozen=True)
class Waiver:
    holder: StaffMember
    track: TrackPublished
    modules_waived: tuple[str, ...]


async def revoke(
    *,
    uow: AssessmentUnit,
    operator_id: str,
    certificate_id: str,
    actor: str,
    reason: str,
    now: datetime,
) -> Certificate:
    """Revoke from now on; the actor and reason are stored and emitted (CertificationRevoked)."""
    await require_known(uow, operator_id)
    found = await uow.certificates.get(operator_id, certificate_id)
    if found is None:
        raise CertificateNotFound(reference=certificate_id)
    holder = await uow.staff.get(operator_id, found.staff_id, lock=True)
    certificate = await uow.certificates.get(operator_id, certificate_id, lock=True)
    assert certificate is not None
    assert holder is not None  # the certificate's foreign key names the staff row
    revoked = revoke_certificate(certificate, actor=actor, reason=reason, now=now)
    await uow.certificates.save(revoked, REVOCATION)
    state = await evidence.state_at(
        uow, holder, track_key=revoked.track_key, version=revoked.track_version
    )
    data = domain_events.certification_revoked(revoked, training=state)
    await stage(uow.events, data, tenant=operator_id, subject=revoked.staff_id)
    return revoked


async def _holder_and_track(
    uow: AssessmentUnit, *, operator_id: str, staff_id: str, track_key: str
) -> tuple[StaffMember, TrackPublished]:
    """The (locked) staff member and the track's current version, or the 404 naming which."""
    await require_known(uow, operator_id)
    holder = await uow.staff.get(operator_id, staff_id, lock=True)
    if holder is None:
        raise StaffNotFound(staff_id=staff_id)
    track = await uow.tracks.current(track_key)
    if track is None:
        raise TrackNotFound(track_key=track_key)
    return holder, track


async def reset_attempts(
    *,
    uow: AssessmentUnit,
    operator_id: str,
    staff_id: str,
    track_key: str,
    actor: str,
    reason: str,
    now: datetime,
) -> StaffMember:
    """Start a new certification cycle: no attempts used, no cooldown (AttemptsReset)."""
    holder, track = await _holder_and_track(
        uow, operator_id=operator_id, staff_id=staff_id, track_key=track_key
    )
    await uow.attempts.add_reset(holder, track_key=track_key, actor=actor, reason=reason, at=now)
    data = domain_events.attempts_reset(
        staff_id=staff_id,
        track=track,
        actor=actor,
        reason=reason,
        reset_at=now,
        training=await evidence.state(uow, holder, track),
    )
    await stage(uow.events, data, tenant=operator_id, subject=staff_id)
    return holder


async def waive_training(
    *,
    uow: AssessmentUnit,
    operator_id: str,
    staff_id: str,
    track_key: str,
    actor: str,
    reason: str,
    now: datetime,
) -> Waiver:
    """Let attempts start on the track's current version without the required modules.

    Records the required modules not completed now as waived (TrainingWaived); it completes
    nothing, so they stay out of `modules_completed`.
    """
    holder, track = await _holder_and_track(
        uow, operator_id=operator_id, staff_id=staff_id, track_key=track_key
    )
    progress = await uow.progress.load(operator_id, staff_id, track_key)
    waived = tuple(module_id for module_id, _ in missing_modules(track, progress))
    await uow.waivers.add(
        holder,
        track_key=track_key,
        track_version=track.version,
        modules_waived=waived,
        actor=actor,
        reason=reason,
        at=now,
    )
    data = domain_events.training_waived(
        staff_id=staff_id,
        track=track,
        modules_waived=waived,
        actor=actor,
        reason=reason,
        waived_at=now,
        training=await evidence.state(uow, holder, track),
    )
    await stage(uow.events, data, tenant=operator_id, subject=staff_id)
    return Waiver(holder=holder, track=track, modules_waived=waived)
