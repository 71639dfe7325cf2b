"""Exam attempts: who may start one and when, submission within the time limit, and grading.

Rules (from the track's `ExamPolicy`, the jurisdiction's policy at start time):
- one open attempt per staff and track; an open attempt past deadline + grace counts as
  timed out (failed, ended at its deadline) everywhere, even before a sweeper persists that;
- a certification cycle starts at the last pass or support reset; at most `attempt_limit`
  attempts start in one cycle;
- after a failed (or timed-out) attempt of the current cycle, the next may start only
  `cooldown_hours` after it ended;
- while a valid certificate for the track exists, a new attempt waits for its recertification
  window to open;
- the training rule (`domain.eligibility`: required modules completed, or waived) is checked
  after the open attempt and the attempt limit, before the waits.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from assessment.domain.certificates import Certificate, Issuance, issue_certificate
from assessment.domain.errors import (
    AssessmentError,
    AttemptAlreadyOpen,
    AttemptLimitReached,
    AttemptNotOpen,
    CooldownActive,
    RecertificationNotOpen,
    SubmissionAfterDeadline,
    TrainingIncomplete,
)
from assessment.domain.exams import Blueprint, ExamPaper, ExamSnapshot, draw_exam, paper_for
from assessment.domain.grading import Answers, Feedback, GradeResult, feedback_for, grade
from assessment.domain.staff import StaffMember
from assessment.domain.timeutil import require_utc
from contracts.catalogue import TrackPublished
from contracts.common import AttemptResult

AttemptStatus = Literal["open", "submitted", "timed_out"]


@dataclass(frozen=True)
class AttemptRules:
    """Service-wide knobs that are not part of the jurisdiction policy."""

    submission_grace: timedelta = timedelta(seconds=30)


DEFAULT_RULES = AttemptRules()


@dataclass(frozen=True)
class Attempt:
    attempt_id: str
    operator_id: str
    staff_id: str
    jurisdiction: str
    role: str
    track_key: str
    track_version: str
    attempt_number: int
    seed: int
    exam: ExamSnapshot
    started_at: datetime
    deadline: datetime
    status: AttemptStatus = "open"
    submitted_at: datetime | None = None
    score: int | None = None
    result: AttemptResult | None = None

    @property
    def ended_at(self) -> datetime | None:
        """When the attempt stopped counting time: submission, or the deadline if timed out."""
        if self.status == "submitted":
            return self.submitted_at
        if self.status == "timed_out":
            return self.deadline
        return None

    def is_overdue(self, now: datetime, rules: AttemptRules = DEFAULT_RULES) -> bool:
        return self.status == "open" and now > self.deadline + rules.submission_grace


@dataclass(frozen=True)
class ExamHistory:
    """Everything that decides attempt rules for one staff member on one track key."""

    staff_id: str
    track_key: str
    attempts: tuple[Attempt, ...] = ()
    resets: tuple[datetime, ...] = ()

    def effective_attempts(self, now: datetime, rules: AttemptRules) -> list[Attempt]:
        """Attempts as they stand at `now`: overdue open attempts read as timed out."""
        return [
            time_out_attempt(a, now=now, rules=rules) if a.is_overdue(now, rules) else a
            for a in sorted(self.attempts, key=lambda a: (a.started_at, a.attempt_number))
        ]

    def cycle_started_at(self) -> datetime | None:
        passes = [a.submitted_at for a in self.attempts if a.result == "pass" and a.submitted_at]
        return max([*passes, *self.resets], default=None)

    def attempts_in_cycle(self, now: datetime, rules: AttemptRules) -> list[Attempt]:
        start = self.cycle_started_at()
        attempts = self.effective_attempts(now, rules)
        return attempts if start is None else [a for a in attempts if a.started_at >= start]


@dataclass(frozen=True)
class StartedAttempt:
    """A new attempt and its paper, plus overdue attempts that were closed to make room."""

    attempt: Attempt
    paper: ExamPaper
    timed_out: tuple[Attempt, ...]


@dataclass(frozen=True)
class Submission:
    attempt: Attempt
    grade: GradeResult
    feedback: Feedback


def start_blocker(
    history: ExamHistory,
    track: TrackPublished,
    *,
    now: datetime,
    current_certificate: Certificate | None = None,
    rules: AttemptRules = DEFAULT_RULES,
    training: TrainingIncomplete | None = None,
) -> AssessmentError | None:
    """The rule that forbids starting an attempt now, or None; waits report the latest one.

    `training` is `eligibility.training_blocker`'s verdict for this staff member and version.
    """
    now = require_utc(now)
    if history.track_key != track.track_key:
        raise ValueError(f"history is for {history.track_key}, track is {track.track_key}")
    attempts = history.effective_attempts(now, rules)
    open_attempt = next((a for a in attempts if a.status == "open"), None)
    if open_attempt is not None:
        return AttemptAlreadyOpen(
            attempt_id=open_attempt.attempt_id, deadline=open_attempt.deadline
        )
    policy = track.exam
    in_cycle = history.attempts_in_cycle(now, rules)
    if len(in_cycle) >= policy.attempt_limit:
        return AttemptLimitReached(limit=policy.attempt_limit)
    if training is not None:
        return training
    waits: list[AssessmentError] = []
    cert = current_certificate
    if cert is not None and (cert.staff_id, cert.track_key) != (history.staff_id, track.track_key):
        raise ValueError("current_certificate belongs to another staff member or track")
    if cert is not None and cert.is_valid_at(now) and not cert.recert_window_open_at(now):
        waits.append(
            RecertificationNotOpen(
                certificate_id=cert.certificate_id,
                expires_at=cert.expires_at,
                window_opens_at=cert.recert_window_opens_at,
            )
        )
    ended = [a for a in in_cycle if a.ended_at is not None]
    last = max(ended, key=lambda a: a.ended_at or a.started_at, default=None)
    if last is not None and last.result == "fail" and last.ended_at is not None:
        cooldown_ends = last.ended_at + timedelta(hours=policy.cooldown_hours)
        if cooldown_ends > now:
            waits.append(CooldownActive(next_allowed_at=cooldown_ends))
    return max(waits, key=lambda e: e.retry_at or now, default=None)


def next_attempt_allowed_at(
    history: ExamHistory,
    track: TrackPublished,
    *,
    now: datetime,
    current_certificate: Certificate | None = None,
    rules: AttemptRules = DEFAULT_RULES,
) -> datetime:
    """When a new attempt may start (`now` if already); raises if it is not a matter of time."""
    blocker = start_blocker(
        history, track, now=now, current_certificate=current_certificate, rules=rules
    )
    if blocker is None:
        return require_utc(now)
    if isinstance(blocker, RecertificationNotOpen | CooldownActive) and blocker.retry_at:
        return blocker.retry_at
    raise blocker


def start_attempt(
    history: ExamHistory,
    track: TrackPublished,
    *,
    holder: StaffMember,
    attempt_id: str,
    seed: int,
    now: datetime,
    current_certificate: Certificate | None = None,
    rules: AttemptRules = DEFAULT_RULES,
    blueprint: Blueprint | None = None,
    training: TrainingIncomplete | None = None,
) -> StartedAttempt:
    """Start an attempt on the track's current version, or raise the rule that forbids it."""
    now = require_utc(now)
    blocker = start_blocker(
        history,
        track,
        now=now,
        current_certificate=current_certificate,
        rules=rules,
        training=training,
    )
    if blocker is not None:
        raise blocker
    exam = draw_exam(track, seed=seed, blueprint=blueprint)
    attempt = Attempt(
        attempt_id=attempt_id,
        operator_id=holder.operator_id,
        staff_id=holder.staff_id,
        jurisdiction=track.jurisdiction,
        role=track.role,
        track_key=track.track_key,
        track_version=track.version,
        attempt_number=max((a.attempt_number for a in history.attempts), default=0) + 1,
        seed=seed,
        exam=exam,
        started_at=now,
        deadline=now + timedelta(minutes=track.exam.time_limit_minutes),
    )
    timed_out = tuple(
        time_out_attempt(a, now=now, rules=rules)
        for a in history.attempts
        if a.is_overdue(now, rules)
    )
    return StartedAttempt(attempt=attempt, paper=paper_for(exam), timed_out=timed_out)


def submit_attempt(
    attempt: Attempt, answers: Answers, *, now: datetime, rules: AttemptRules = DEFAULT_RULES
) -> Submission:
    """Grade a submission against the attempt's own snapshot, if it arrived in time.

    On `SubmissionAfterDeadline` the caller should persist `time_out_attempt(attempt, ...)`.
    """
    now = require_utc(now)
    if attempt.status != "open":
        raise AttemptNotOpen(attempt_id=attempt.attempt_id, status=attempt.status)
    if attempt.is_overdue(now, rules):
        raise SubmissionAfterDeadline(deadline=attempt.deadline, grace=rules.submission_grace)
    result = grade(attempt.exam, answers)
    graded = replace(
        attempt, status="submitted", submitted_at=now, score=result.score, result=result.result
    )
    return Submission(attempt=graded, grade=result, feedback=feedback_for(attempt.exam, result))


def time_out_attempt(
    attempt: Attempt, *, now: datetime, rules: AttemptRules = DEFAULT_RULES
) -> Attempt:
    """Close an overdue open attempt as failed with score 0, ended at its deadline."""
    if not attempt.is_overdue(require_utc(now), rules):
        raise ValueError(f"attempt {attempt.attempt_id} is not overdue at {now.isoformat()}")
    return replace(attempt, status="timed_out", score=0, result="fail")


def overdue_attempts(
    attempts: Iterable[Attempt], *, now: datetime, rules: AttemptRules = DEFAULT_RULES
) -> list[Attempt]:
    """Open attempts a sweeper should close with `time_out_attempt`."""
    return [a for a in attempts if a.is_overdue(require_utc(now), rules)]


def reset_attempts(history: ExamHistory, *, now: datetime) -> ExamHistory:
    """A support reset starts a new certification cycle (no attempts used, no cooldown)."""
    return replace(history, resets=(*history.resets, require_utc(now)))


def certify(
    attempt: Attempt,
    *,
    holder: StaffMember,
    certificate_id: str,
    verification_code: str,
    predecessor: Certificate | None,
) -> Issuance:
    """Issue the certificate a passed attempt earns, for the version and policy it ran under."""
    if attempt.result != "pass" or attempt.submitted_at is None:
        raise ValueError(f"attempt {attempt.attempt_id} did not pass; nothing to certify")
    if holder.staff_id != attempt.staff_id:
        raise ValueError("the holder must be the staff member who took the attempt")
    return issue_certificate(
        certificate_id=certificate_id,
        verification_code=verification_code,
        holder=holder,
        attempt_id=attempt.attempt_id,
        jurisdiction=attempt.jurisdiction,
        role=attempt.role,
        track_key=attempt.track_key,
        track_version=attempt.track_version,
        passed_at=attempt.submitted_at,
        policy=attempt.exam.certification,
        predecessor=predecessor,
    )
