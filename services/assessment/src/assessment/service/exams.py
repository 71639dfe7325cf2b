"""Exams: start an attempt, submit it once (idempotency key), read attempts back."""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters import attempt_repo, certificate_repo, progress_repo, waiver_repo
from assessment.adapters.track_store import TrackStore
from assessment.domain import events as domain_events
from assessment.domain.attempts import (
    Attempt,
    AttemptRules,
    StartedAttempt,
    certify,
    start_attempt,
    submit_attempt,
    time_out_attempt,
)
from assessment.domain.certificates import Certificate, latest_certificate
from assessment.domain.codes import new_verification_code
from assessment.domain.eligibility import training_blocker
from assessment.domain.errors import (
    AssessmentError,
    AttemptNotFound,
    AttemptNotOpen,
    IdempotencyKeyReused,
    SubmissionAfterDeadline,
)
from assessment.domain.exams import ExamPaper, paper_for
from assessment.domain.staff import StaffMember
from assessment.service import evidence
from assessment.service.outcomes import AttemptOutcome, graded_outcome, timed_out_outcome
from assessment.service.ports import AttemptRecord, EventSink, IdSource, stage
from assessment.service.staff import provision
from assessment.service.training import assigned_track
from contracts.base import EventData


@dataclass(frozen=True)
class SubmitResult:
    """Either the outcome (fresh or replayed) or a rejection to report after committing."""

    outcome: AttemptOutcome | None = None
    rejection: AssessmentError | None = None
    replayed: bool = False


@dataclass(frozen=True)
class AttemptView:
    """An attempt as it stands now: open ones carry their paper, closed ones their outcome."""

    attempt: Attempt
    paper: ExamPaper | None
    outcome: AttemptOutcome | None


async def start(
    session: AsyncSession,
    *,
    identity: StaffMember,
    track_key: str,
    tracks: TrackStore,
    events: EventSink,
    ids: IdSource,
    now: datetime,
    rules: AttemptRules,
) -> StartedAttempt:
    """Start an attempt on the track's current version, or raise the rule that forbids it.

    Training comes first: every required module of the version completed, or a waiver
    (409 `training_incomplete` naming the missing modules otherwise).
    """
    holder = await provision(session, identity=identity, events=events, now=now, lock=True)
    track = await assigned_track(session, holder, track_key, tracks=tracks)
    history = await attempt_repo.history(session, holder.operator_id, holder.staff_id, track_key)
    certs = await certificate_repo.of_holder(
        session, holder.operator_id, holder.staff_id, track_key=track_key
    )
    progress = await progress_repo.load(session, holder.operator_id, holder.staff_id, track_key)
    waived = await waiver_repo.waived(
        session, holder.operator_id, holder.staff_id, track_key, track.version
    )
    started = start_attempt(
        history,
        track,
        holder=holder,
        attempt_id=ids.new_id(),
        seed=ids.new_seed(),
        now=now,
        current_certificate=latest_certificate(
            certs, staff_id=holder.staff_id, track_key=track_key
        ),
        rules=rules,
        training=training_blocker(track, progress, waived=waived),
    )
    for overdue in started.timed_out:
        await close_timed_out(session, overdue, holder=holder, events=events, tracks=tracks)
    await attempt_repo.insert(session, started.attempt)
    state = await evidence.state(session, holder, track)
    await stage(
        session,
        events,
        domain_events.attempt_started(started.attempt, training=state),
        tenant=holder.operator_id,
        subject=holder.staff_id,
    )
    return started


async def submit(
    session: AsyncSession,
    *,
    identity: StaffMember,
    attempt_id: str,
    answers: Mapping[str, Sequence[str]],
    idempotency_key: str,
    tracks: TrackStore,
    events: EventSink,
    ids: IdSource,
    now: datetime,
    rules: AttemptRules,
) -> SubmitResult:
    """Grade once: the same key and answers replay the recorded outcome; late work is refused.

    The holder's row lock serialises concurrent submits, so exactly one grades the attempt.
    A late submission closes the attempt as timed out (committed) and returns the rejection.
    """
    holder = await provision(session, identity=identity, events=events, now=now, lock=True)
    record = await attempt_repo.get(
        session, holder.operator_id, holder.staff_id, attempt_id, lock=True
    )
    if record is None:
        raise AttemptNotFound(attempt_id=attempt_id)
    request_hash = answers_hash(answers)
    attempt = record.attempt
    if attempt.status != "open":
        if record.idempotency_key == idempotency_key and record.outcome is not None:
            if record.request_hash != request_hash:
                raise IdempotencyKeyReused(attempt_id=attempt_id)
            return SubmitResult(
                outcome=AttemptOutcome.model_validate(record.outcome), replayed=True
            )
        raise AttemptNotOpen(attempt_id=attempt_id, status=attempt.status)
    try:
        submission = submit_attempt(attempt, answers, now=now, rules=rules)
    except SubmissionAfterDeadline as late:
        await close_timed_out(
            session,
            time_out_attempt(attempt, now=now, rules=rules),
            holder=holder,
            events=events,
            tracks=tracks,
        )
        return SubmitResult(rejection=late)
    certificate = None
    if submission.grade.passed:
        certificate = await _certify(session, submission.attempt, holder=holder, ids=ids)
    outcome = graded_outcome(submission, certificate)
    await attempt_repo.close(
        session,
        submission.attempt,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        outcome=outcome.model_dump(mode="json"),
    )
    graded = submission.attempt
    state = await evidence.state_at(
        session, holder, track_key=graded.track_key, version=graded.track_version, tracks=tracks
    )
    staged: list[EventData] = [
        domain_events.attempt_submitted(
            graded, holder=holder, certificate=certificate, training=state
        )
    ]
    if certificate is not None:
        staged.append(domain_events.certification_issued(certificate, training=state))
    await stage(session, events, *staged, tenant=holder.operator_id, subject=holder.staff_id)
    return SubmitResult(outcome=outcome)


async def _certify(
    session: AsyncSession, attempt: Attempt, *, holder: StaffMember, ids: IdSource
) -> Certificate:
    certs = await certificate_repo.of_holder(
        session, holder.operator_id, holder.staff_id, track_key=attempt.track_key
    )
    issuance = certify(
        attempt,
        holder=holder,
        certificate_id=ids.new_id(),
        verification_code=await _fresh_code(session, ids),
        predecessor=latest_certificate(
            certs, staff_id=holder.staff_id, track_key=attempt.track_key
        ),
    )
    if issuance.superseded is not None:
        await certificate_repo.save(session, issuance.superseded, certificate_repo.SUPERSESSION)
    await certificate_repo.insert(session, issuance.certificate)
    return issuance.certificate


async def _fresh_code(session: AsyncSession, ids: IdSource) -> str:
    for _ in range(5):
        code = new_verification_code(ids.entropy)
        if not await certificate_repo.code_taken(session, code):
            return code
    raise RuntimeError("could not draw an unused verification code in 5 tries")


async def close_timed_out(
    session: AsyncSession,
    attempt: Attempt,
    *,
    holder: StaffMember,
    events: EventSink,
    tracks: TrackStore,
) -> bool:
    """Persist a timed-out attempt and emit its AttemptSubmitted, once (only if still open)."""
    closed = await attempt_repo.close(
        session, attempt, outcome=timed_out_outcome(attempt).model_dump(mode="json")
    )
    if closed:
        state = await evidence.state_at(
            session,
            holder,
            track_key=attempt.track_key,
            version=attempt.track_version,
            tracks=tracks,
        )
        data = domain_events.attempt_submitted(
            attempt, holder=holder, certificate=None, training=state
        )
        await stage(session, events, data, tenant=attempt.operator_id, subject=attempt.staff_id)
    return closed


def answers_hash(answers: Mapping[str, Sequence[str]]) -> str:
    canonical = json.dumps(
        {question: sorted(set(options)) for question, options in answers.items()}, sort_keys=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def view(record: AttemptRecord, *, now: datetime, rules: AttemptRules) -> AttemptView:
    attempt = record.attempt
    if attempt.is_overdue(now, rules):
        attempt = time_out_attempt(attempt, now=now, rules=rules)
    if attempt.status == "open":
        return AttemptView(attempt=attempt, paper=paper_for(attempt.exam), outcome=None)
    if record.outcome is not None:
        outcome = AttemptOutcome.model_validate(record.outcome)
    else:
        outcome = timed_out_outcome(attempt)
    return AttemptView(attempt=attempt, paper=None, outcome=outcome)


async def get_attempt(
    session: AsyncSession,
    *,
    identity: StaffMember,
    attempt_id: str,
    events: EventSink,
    now: datetime,
    rules: AttemptRules,
) -> AttemptView:
    holder = await provision(session, identity=identity, events=events, now=now)
    record = await attempt_repo.get(session, holder.operator_id, holder.staff_id, attempt_id)
    if record is None:
        raise AttemptNotFound(attempt_id=attempt_id)
    return view(record, now=now, rules=rules)


async def list_attempts(
    session: AsyncSession,
    *,
    identity: StaffMember,
    track_key: str | None,
    events: EventSink,
    now: datetime,
    rules: AttemptRules,
) -> list[Attempt]:
    holder = await provision(session, identity=identity, events=events, now=now)
    found = await attempt_repo.of_staff(
        session, holder.operator_id, holder.staff_id, track_key=track_key
    )
    return [
        time_out_attempt(a, now=now, rules=rules) if a.is_overdue(now, rules) else a for a in found
    ]
