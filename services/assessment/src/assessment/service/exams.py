"""Exams: start an attempt, submit it once (idempotency key), read attempts back."""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

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
from assessment.service.ports import SUPERSESSION, AssessmentUnit, AttemptRecord, IdSource, stage
from assessment.service.staff import follow_token, provision
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
    *,
    uow: AssessmentUnit,
    identity: StaffMember,
    track_key: str,
    ids: IdSource,
    now: datetime,
    rules: AttemptRules,
) -> StartedAttempt:
    """Start an attempt on the track's current version, or raise the rule that forbids it.

    Training comes first: every required module of the version completed, or a waiver
    (409 `training_incomplete` naming the missing modules otherwise).
    """
    holder = await provision(uow=uow, identity=identity, now=now, lock=True)
    track = await assigned_track(uow, holder, track_key)
    history = await uow.attempts.history(holder.operator_id, holder.staff_id, track_key)
    certs = await uow.certificates.of_holder(
        holder.operator_id, holder.staff_id, track_key=track_key
    )
    progress = await uow.progress.load(holder.operator_id, holder.staff_id, track_key)
    waived = await uow.waivers.waived(holder.operator_id, holder.staff_id, track_key, track.version)
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
        await close_timed_out(uow, overdue, holder=holder)
    await uow.attempts.insert(started.attempt)
    state = await evidence.state(uow, holder, track)
    await stage(
        uow.events,
        domain_events.attempt_started(started.attempt, training=state),
        tenant=holder.operator_id,
        subject=holder.staff_id,
    )
    return started


async def submit(
    *,
    uow: AssessmentUnit,
    identity: StaffMember,
    attempt_id: str,
    answers: Mapping[str, Sequence[str]],
    idempotency_key: str,
    ids: IdSource,
    now: datetime,
    rules: AttemptRules,
) -> SubmitResult:
    """Grade once: the same key and answers replay the recorded outcome; late work is refused.

    The holder's and the attempt's row locks serialise concurrent submits (and the timed-out
    sweep), so exactly one grades the attempt.
    A late submission closes the attempt as timed out (committed) and returns the rejection.
    """
    holder, record = await _locked_attempt(uow, identity, attempt_id, now=now)
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
            uow,
            time_out_attempt(attempt, now=now, rules=rules),
            holder=holder,
        )
        return SubmitResult(rejection=late)
    graded = submission.attempt
    found = await evidence.records(uow, holder, graded.track_key)  # after the lock, not in it
    certificate: Certificate | None = None
    certificates: list[Certificate] | None = None  # as stored once certified
    if submission.grade.passed:
        certificate, certificates = await _certify(
            uow, graded, holder=holder, ids=ids, certificates=found.certificates
        )
    outcome = graded_outcome(submission, certificate)
    await uow.attempts.close(
        graded,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
        outcome=outcome.model_dump(mode="json"),
    )
    state = await evidence.state_at(
        uow,
        holder,
        track_key=graded.track_key,
        version=graded.track_version,
        known=found.after_close(graded, certificates=certificates),
    )
    staged: list[EventData] = [
        domain_events.attempt_submitted(
            graded, holder=holder, certificate=certificate, training=state
        )
    ]
    if certificate is not None:
        staged.append(domain_events.certification_issued(certificate, training=state))
    await stage(uow.events, *staged, tenant=holder.operator_id, subject=holder.staff_id)
    return SubmitResult(outcome=outcome)


async def _locked_attempt(
    uow: AssessmentUnit, identity: StaffMember, attempt_id: str, *, now: datetime
) -> tuple[StaffMember, AttemptRecord]:
    """The holder and their attempt, both rows locked: one statement when both are stored,
    else provisioning (first sight) and the attempt's lookup as for any request."""
    locked = await uow.attempts.lock_with_holder(
        identity.operator_id, identity.staff_id, attempt_id
    )
    if locked is not None:
        holder = await follow_token(uow=uow, stored=locked.holder, identity=identity, now=now)
        return holder, locked.record
    holder = await provision(uow=uow, identity=identity, now=now, lock=True)
    record = await uow.attempts.get(holder.operator_id, holder.staff_id, attempt_id, lock=True)
    if record is None:
        raise AttemptNotFound(attempt_id=attempt_id)
    return holder, record


async def _certify(
    uow: AssessmentUnit,
    attempt: Attempt,
    *,
    holder: StaffMember,
    ids: IdSource,
    certificates: Sequence[Certificate],
) -> tuple[Certificate, list[Certificate]]:
    """Issue and store the certificate, given the holder's `certificates` on the track as
    stored; returns it and those certificates once it is stored."""
    certificate_id = ids.new_id()
    predecessor = latest_certificate(
        certificates, staff_id=holder.staff_id, track_key=attempt.track_key
    )
    for _ in range(5):  # the insert refuses a taken code: draw another
        issuance = certify(
            attempt,
            holder=holder,
            certificate_id=certificate_id,
            verification_code=new_verification_code(ids.entropy),
            predecessor=predecessor,
        )
        if await uow.certificates.insert(issuance.certificate):
            break
    else:
        raise RuntimeError("could not draw an unused verification code in 5 tries")
    if issuance.superseded is not None:
        await uow.certificates.save(issuance.superseded, SUPERSESSION)
    return issuance.certificate, issuance.applied_to(certificates)


async def close_timed_out(
    uow: AssessmentUnit,
    attempt: Attempt,
    *,
    holder: StaffMember,
) -> bool:
    """Persist a timed-out attempt and emit its AttemptSubmitted, once (only if still open)."""
    closed = await uow.attempts.close(
        attempt, outcome=timed_out_outcome(attempt).model_dump(mode="json")
    )
    if closed:
        state = await evidence.state_at(
            uow,
            holder,
            track_key=attempt.track_key,
            version=attempt.track_version,
        )
        data = domain_events.attempt_submitted(
            attempt, holder=holder, certificate=None, training=state
        )
        await stage(uow.events, data, tenant=attempt.operator_id, subject=attempt.staff_id)
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
    *,
    uow: AssessmentUnit,
    identity: StaffMember,
    attempt_id: str,
    now: datetime,
    rules: AttemptRules,
) -> AttemptView:
    holder = await provision(uow=uow, identity=identity, now=now)
    record = await uow.attempts.get(holder.operator_id, holder.staff_id, attempt_id)
    if record is None:
        raise AttemptNotFound(attempt_id=attempt_id)
    return view(record, now=now, rules=rules)


async def list_attempts(
    *,
    uow: AssessmentUnit,
    identity: StaffMember,
    track_key: str | None,
    now: datetime,
    rules: AttemptRules,
) -> list[Attempt]:
    holder = await provision(uow=uow, identity=identity, now=now)
    found = await uow.attempts.of_staff(holder.operator_id, holder.staff_id, track_key=track_key)
    return [
        time_out_attempt(a, now=now, rules=rules) if a.is_overdue(now, rules) else a for a in found
    ]
