"""Scheduled work: expiry notices (each exactly once) and closing overdue attempts.

Both steps compute what is due from stored state, not from "what changed since the last run",
so a run after downtime catches up. Rows are taken with `FOR UPDATE SKIP LOCKED`, and the
flag or status change is committed in the same transaction as the outbox write: with several
replicas each notice and each timeout is emitted by exactly one of them. Event ids are derived
from the notice (certificate id + kind), so even a bug that emitted twice would collide on the
outbox's unique event id instead of publishing a duplicate.
"""

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from assessment.domain.attempts import AttemptRules, time_out_attempt
from assessment.domain.certificates import Certificate
from assessment.domain.events import certification_notice
from assessment.domain.notices import due_notices, mark_notice_sent
from assessment.domain.staff import StaffMember
from assessment.service import evidence
from assessment.service.exams import close_timed_out
from assessment.service.ports import NOTICES, AssessmentUnit
from contracts.assessment import TrainingState

NOTICE_NAMESPACE = uuid.UUID("6a1f4a43-2c55-4c1e-9a0e-3f8f5d0c7b21")


def notice_event_id(notice_key: str) -> str:
    return str(uuid.uuid5(NOTICE_NAMESPACE, notice_key))


async def send_due_notices(*, uow: AssessmentUnit, now: datetime, limit: int) -> int:
    """Emit due expiring/expired notices for up to `limit` certificates; returns how many."""
    certificates = await uow.certificates.notices_due(now=now, limit=limit)
    sent = 0
    updated = {c.certificate_id: c for c in certificates}
    for notice in due_notices(certificates, now=now):
        certificate = notice.certificate
        await uow.events.emit(
            certification_notice(notice, training=await _state(uow, certificate)),
            event_id=notice_event_id(notice.notice_key),
            tenant=certificate.operator_id,
            subject=certificate.staff_id,
        )
        cid = certificate.certificate_id
        updated[cid] = mark_notice_sent(updated[cid], notice.kind, at=now)
        sent += 1
    for certificate in updated.values():
        await uow.certificates.save(certificate, NOTICES)
    return sent


async def _state(uow: AssessmentUnit, certificate: Certificate) -> TrainingState | None:
    holder = await uow.staff.get(certificate.operator_id, certificate.staff_id)
    if holder is None:  # a certificate's holder row always exists (foreign key)
        return None
    return await evidence.state_at(
        uow,
        holder,
        track_key=certificate.track_key,
        version=certificate.track_version,
    )


async def close_overdue_attempts(
    *,
    uow: AssessmentUnit,
    now: datetime,
    rules: AttemptRules,
    limit: int,
) -> int:
    """Close open attempts past deadline + grace as timed out (failed); returns how many."""
    overdue = await uow.attempts.overdue(cutoff=now - rules.submission_grace, limit=limit)
    closed = 0
    for found in overdue:
        attempt = found.attempt
        holder = StaffMember(
            operator_id=attempt.operator_id,
            staff_id=attempt.staff_id,
            name=found.holder_name,
            email=found.holder_email,
        )
        timed_out = time_out_attempt(attempt, now=now, rules=rules)
        closed += await close_timed_out(uow, timed_out, holder=holder)
    return closed


#: Opens one unit of work (committed on success): `assessment_units(runtime)` or a fake.
OpenUnit = Callable[[], AbstractAsyncContextManager[AssessmentUnit]]


async def run_once(
    units: OpenUnit,
    *,
    now: datetime,
    rules: AttemptRules,
    batch_size: int,
) -> int:
    """One scheduler pass, batch by batch until nothing is due; returns the events staged."""
    total = 0
    while True:
        async with units() as uow:
            step = await close_overdue_attempts(uow=uow, now=now, rules=rules, limit=batch_size)
        total += step
        if step < batch_size:
            break
    while True:
        async with units() as uow:
            step = await send_due_notices(uow=uow, now=now, limit=batch_size)
        total += step
        if step == 0:
            break
    return total
