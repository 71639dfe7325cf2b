"""Map domain state to the `academy.assessment.v1` event data the service writes to its outbox.

Every training, attempt and certificate event carries the holder's `TrainingState` on the
track (built by `domain.training_state`), so the audit pack's training register needs no
history outside the pack. It is None only for an attempt or certificate whose track nobody
here has seen (see `service.evidence.state_at`).
"""

from collections.abc import Sequence
from datetime import datetime

from assessment.domain.attempts import Attempt
from assessment.domain.certificates import Certificate
from assessment.domain.lessons import (
    ServedLesson,
    lesson_in_module,
    served_digest,
    served_module_digest,
)
from assessment.domain.notices import DueNotice
from assessment.domain.progress import LessonCompletion
from assessment.domain.staff import StaffMember
from contracts.assessment import (
    AttemptsReset,
    AttemptStarted,
    AttemptSubmitted,
    CertificationExpired,
    CertificationExpiring,
    CertificationIssued,
    CertificationRevoked,
    LessonCompleted,
    LessonOpened,
    ModuleCompleted,
    TrainingState,
    TrainingWaived,
)
from contracts.catalogue import TrackPublished


def attempt_started(attempt: Attempt, *, training: TrainingState) -> AttemptStarted:
    return AttemptStarted(
        attempt_id=attempt.attempt_id,
        staff_id=attempt.staff_id,
        jurisdiction=attempt.jurisdiction,
        role=attempt.role,
        track_version=attempt.track_version,
        attempt_number=attempt.attempt_number,
        seed=attempt.seed,
        question_ids=attempt.exam.question_ids,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        training=training,
    )


def attempt_submitted(
    attempt: Attempt,
    *,
    holder: StaffMember,
    certificate: Certificate | None,
    training: TrainingState | None,
) -> AttemptSubmitted:
    """A graded (or timed-out) attempt; a timed-out one reports its deadline as submitted_at."""
    if attempt.result is None or attempt.score is None:
        raise ValueError(f"attempt {attempt.attempt_id} is still open")
    return AttemptSubmitted(
        attempt_id=attempt.attempt_id,
        staff_id=attempt.staff_id,
        staff_name=holder.name,
        staff_email=holder.email,
        role=attempt.role,
        jurisdiction=attempt.jurisdiction,
        track_version=attempt.track_version,
        attempt_number=attempt.attempt_number,
        started_at=attempt.started_at,
        submitted_at=attempt.submitted_at or attempt.deadline,
        score=attempt.score,
        pass_mark=attempt.exam.policy.pass_mark,
        result=attempt.result,
        certificate_id=None if certificate is None else certificate.certificate_id,
        certificate_valid_until=None if certificate is None else certificate.expires_at,
        training=training,
    )


def certification_issued(
    certificate: Certificate, *, training: TrainingState | None
) -> CertificationIssued:
    return CertificationIssued(
        certificate_id=certificate.certificate_id,
        staff_id=certificate.staff_id,
        staff_name=certificate.staff_name,
        role=certificate.role,
        jurisdiction=certificate.jurisdiction,
        track_version=certificate.track_version,
        attempt_id=certificate.attempt_id,
        passed_at=certificate.passed_at,
        expires_at=certificate.expires_at,
        verification_code=certificate.verification_code,
        recertifies=certificate.recertifies,
        training=training,
    )


def certification_notice(
    notice: DueNotice, *, training: TrainingState | None
) -> CertificationExpiring | CertificationExpired:
    cert = notice.certificate
    if notice.kind == "expiring":
        return CertificationExpiring(
            certificate_id=cert.certificate_id,
            staff_id=cert.staff_id,
            role=cert.role,
            jurisdiction=cert.jurisdiction,
            expires_at=cert.expires_at,
            window_opened_at=notice.due_at,
            training=training,
        )
    return CertificationExpired(
        certificate_id=cert.certificate_id,
        staff_id=cert.staff_id,
        role=cert.role,
        jurisdiction=cert.jurisdiction,
        expired_at=cert.expires_at,
        training=training,
    )


def certification_revoked(
    certificate: Certificate, *, training: TrainingState | None
) -> CertificationRevoked:
    if certificate.revoked_at is None or certificate.revoked_by is None:
        raise ValueError(f"certificate {certificate.certificate_id} is not revoked")
    return CertificationRevoked(
        certificate_id=certificate.certificate_id,
        staff_id=certificate.staff_id,
        role=certificate.role,
        jurisdiction=certificate.jurisdiction,
        actor=certificate.revoked_by,
        reason=certificate.revocation_reason or "",
        revoked_at=certificate.revoked_at,
        training=training,
    )


def attempts_reset(
    *,
    staff_id: str,
    track: TrackPublished,
    actor: str,
    reason: str,
    reset_at: datetime,
    training: TrainingState,
) -> AttemptsReset:
    return AttemptsReset(
        staff_id=staff_id,
        jurisdiction=track.jurisdiction,
        role=track.role,
        actor=actor,
        reason=reason,
        reset_at=reset_at,
        training=training,
    )


def training_waived(
    *,
    staff_id: str,
    track: TrackPublished,
    modules_waived: Sequence[str],
    actor: str,
    reason: str,
    waived_at: datetime,
    training: TrainingState,
) -> TrainingWaived:
    return TrainingWaived(
        staff_id=staff_id,
        jurisdiction=track.jurisdiction,
        role=track.role,
        track_version=track.version,
        modules_waived=list(modules_waived),
        actor=actor,
        reason=reason,
        waived_at=waived_at,
        training=training,
    )


def lesson_opened(
    served: ServedLesson, *, staff_id: str, opened_at: datetime, training: TrainingState
) -> LessonOpened:
    return LessonOpened(
        staff_id=staff_id,
        jurisdiction=served.track.jurisdiction,
        role=served.track.role,
        track_version=served.track.version,
        module_id=served.module.id,
        lesson_id=served.lesson.id,
        content_digest=served.digest,
        opened_at=opened_at,
        training=training,
    )


def lesson_completed(
    completion: LessonCompletion,
    *,
    staff_id: str,
    track: TrackPublished,
    training: TrainingState,
) -> LessonCompleted:
    lesson = lesson_in_module(track, completion.module_id, completion.lesson_id)
    return LessonCompleted(
        staff_id=staff_id,
        jurisdiction=track.jurisdiction,
        role=track.role,
        track_version=completion.track_version,
        module_id=completion.module_id,
        lesson_id=completion.lesson_id,
        completed_at=completion.completed_at,
        content_digest=served_digest(lesson),
        training=training,
    )


def module_completed(
    completion: LessonCompletion,
    *,
    staff_id: str,
    track: TrackPublished,
    training: TrainingState,
) -> ModuleCompleted:
    """Emitted with the lesson completion that finished the module, with the module's digest."""
    module = next(m for m in track.modules if m.id == completion.module_id)
    return ModuleCompleted(
        staff_id=staff_id,
        jurisdiction=track.jurisdiction,
        role=track.role,
        track_version=completion.track_version,
        module_id=completion.module_id,
        completed_at=completion.completed_at,
        content_digest=served_module_digest(module),
        training=training,
    )
