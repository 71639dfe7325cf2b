"""Typed domain errors whose messages tell the portal user what to do and when."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar

from assessment.domain.timeutil import show


class AssessmentError(Exception):
    """Base of every rule the assessment domain refuses; `code` is stable for API clients."""

    code: ClassVar[str] = "assessment_error"

    def __init__(self, message: str, *, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_at = retry_at


class AttemptAlreadyOpen(AssessmentError):
    code = "attempt_already_open"

    def __init__(self, *, attempt_id: str, deadline: datetime) -> None:
        super().__init__(
            f"You already have an exam attempt in progress ({attempt_id}). Finish and submit it "
            f"before {show(deadline)}; a new attempt can only start once it is closed.",
            retry_at=deadline,
        )
        self.attempt_id = attempt_id
        self.deadline = deadline


class AttemptLimitReached(AssessmentError):
    code = "attempt_limit_reached"

    def __init__(self, *, limit: int) -> None:
        super().__init__(
            f"You have used all {limit} exam attempts allowed in this certification cycle. "
            "Ask academy support to reset your attempts before trying again."
        )
        self.limit = limit


class CooldownActive(AssessmentError):
    code = "attempt_cooldown"

    def __init__(self, *, next_allowed_at: datetime) -> None:
        super().__init__(
            "Your last attempt did not pass. Review the training material; "
            f"next attempt allowed after {show(next_allowed_at)}.",
            retry_at=next_allowed_at,
        )
        self.next_allowed_at = next_allowed_at


class RecertificationNotOpen(AssessmentError):
    code = "recertification_not_open"

    def __init__(
        self, *, certificate_id: str, expires_at: datetime, window_opens_at: datetime
    ) -> None:
        super().__init__(
            f"You already hold a valid certificate ({certificate_id}) until {show(expires_at)}. "
            f"Recertification opens on {show(window_opens_at)}.",
            retry_at=window_opens_at,
        )
        self.certificate_id = certificate_id
        self.expires_at = expires_at
        self.window_opens_at = window_opens_at


class SubmissionAfterDeadline(AssessmentError):
    code = "submission_after_deadline"

    def __init__(self, *, deadline: datetime, grace: timedelta) -> None:
        super().__init__(
            f"The time limit for this attempt ended at {show(deadline)} and the submission "
            f"arrived after the {int(grace.total_seconds())} s grace period, so it was not "
            "graded. The attempt counts as failed; start a new attempt when allowed.",
        )
        self.deadline = deadline
        self.grace = grace


class AttemptNotOpen(AssessmentError):
    code = "attempt_not_open"

    def __init__(self, *, attempt_id: str, status: str) -> None:
        super().__init__(
            f"Attempt {attempt_id} is already {status.replace('_', ' ')} and cannot be "
            "submitted again. Open your results page to see the outcome."
        )
        self.attempt_id = attempt_id
        self.status = status


class InvalidAnswers(AssessmentError):
    code = "invalid_answers"

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        """`problems`: (question id, what is wrong with its answer) pairs."""
        super().__init__(
            "The submission does not match the exam paper: "
            + "; ".join(problem for _, problem in problems)
            + ". Reload the exam page and submit again."
        )
        self.problems = tuple(problems)


class TrackVersionMismatch(AssessmentError):
    code = "track_version_mismatch"

    def __init__(self, *, expected: str, got: str) -> None:
        super().__init__(
            f"This attempt belongs to track version {expected}, not {got}. "
            "It is always graded against the version it started on."
        )
        self.expected = expected
        self.got = got


class ExamBlueprintInvalid(AssessmentError):
    """The published track cannot produce an exam; a content problem, not the user's."""

    code = "exam_blueprint_invalid"

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"This exam cannot be generated right now ({detail}). "
            "Please contact academy support; your attempts are not affected."
        )
        self.detail = detail


class UnknownLesson(AssessmentError):
    code = "unknown_lesson"

    def __init__(self, *, module_id: str | None, lesson_id: str, track_version: str) -> None:
        where = "" if module_id is None else f" in module {module_id}"
        super().__init__(
            f"Lesson {lesson_id}{where} is not part of track version "
            f"{track_version}. Reload the training page to get the current lessons."
        )
        self.module_id = module_id
        self.lesson_id = lesson_id
        self.track_version = track_version


class TrainingIncomplete(AssessmentError):
    """Required modules of the track version are not completed (and no waiver covers them)."""

    code = "training_incomplete"

    def __init__(self, *, track_key: str, missing: Sequence[tuple[str, str]]) -> None:
        """`missing`: (module id, title) of each required module not yet completed."""
        names = "; ".join(f"{title} ({module_id})" for module_id, title in missing)
        super().__init__(
            f"Complete the training of {track_key} before the exam: {len(missing)} required "
            f"module(s) not completed: {names}. Open each lesson and mark it completed, or ask "
            "academy support for a waiver."
        )
        self.track_key = track_key
        self.missing = tuple(missing)


class CertificateAlreadyRevoked(AssessmentError):
    code = "certificate_already_revoked"

    def __init__(self, *, certificate_id: str, revoked_at: datetime) -> None:
        super().__init__(
            f"Certificate {certificate_id} was already revoked at {show(revoked_at)}; "
            "nothing was changed."
        )
        self.certificate_id = certificate_id
        self.revoked_at = revoked_at


class InvalidVerificationCode(AssessmentError):
    code = "invalid_verification_code"

    def __init__(self, text: str) -> None:
        super().__init__(
            f"'{text[:40]}' is not a valid verification code. Codes have 12 characters "
            "(letters and digits, e.g. 7K3M-Q9XD-2HPV); check the certificate and try again."
        )
        self.text = text


class TrackNotFound(AssessmentError):
    code = "track_not_found"

    def __init__(self, *, track_key: str) -> None:
        super().__init__(
            f"No track {track_key} has been published. Track keys look like "
            "'MGA.compliance_officer'; GET /v1/me/tracks lists yours."
        )
        self.track_key = track_key


class TrackNotAssigned(AssessmentError):
    code = "track_not_assigned"

    def __init__(self, *, track_key: str, why: str) -> None:
        super().__init__(f"Track {track_key} is not one of your tracks: {why}.")
        self.track_key = track_key
        self.why = why


class AttemptNotFound(AssessmentError):
    code = "attempt_not_found"

    def __init__(self, *, attempt_id: str) -> None:
        super().__init__(
            f"You have no exam attempt {attempt_id}. GET /v1/me/attempts lists your attempts."
        )
        self.attempt_id = attempt_id


class CertificateNotFound(AssessmentError):
    code = "certificate_not_found"

    def __init__(self, *, reference: str) -> None:
        super().__init__(
            f"No certificate matches {reference[:40]}. Check the id or verification code."
        )
        self.reference = reference


class StaffNotFound(AssessmentError):
    code = "staff_not_found"

    def __init__(self, *, staff_id: str) -> None:
        super().__init__(
            f"No staff member {staff_id} is known for this operator; staff appear after "
            "their first sign-in to the academy."
        )
        self.staff_id = staff_id


class IdempotencyKeyReused(AssessmentError):
    code = "idempotency_key_reused"

    def __init__(self, *, attempt_id: str) -> None:
        super().__init__(
            f"Attempt {attempt_id} was already submitted with this Idempotency-Key but "
            "different answers. Resending the same request returns the recorded result; a "
            "changed submission is not accepted after grading."
        )
        self.attempt_id = attempt_id
