"""Exam attempts (with their frozen exam snapshot) and support resets."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters.orm import attempt_resets, attempts, staff
from assessment.adapters.staff_repo import staff_member
from assessment.domain.attempts import Attempt, ExamHistory
from assessment.domain.exams import ExamSnapshot
from assessment.domain.staff import StaffMember
from assessment.service.ports import AttemptRecord, LockedAttempt, OverdueAttempt

_of_holder = (
    attempts.c.operator_id == bindparam("operator_id"),
    attempts.c.staff_id == bindparam("staff_id"),
)
_record_query = select(attempts).where(
    attempts.c.attempt_id == bindparam("attempt_id"), *_of_holder
)
#: Statements built once (cache key memoised), executed with a parameters dict.
_RECORD = {False: _record_query, True: _record_query.with_for_update()}
#: Staff first in FROM and OF: rows are locked in that order, the order every change of a
#: member's records takes (the staff row, then the attempt's).
_LOCK_WITH_HOLDER = (
    select(attempts, staff.c.name, staff.c.email, staff.c.roles)
    .select_from(
        staff.join(
            attempts,
            (attempts.c.operator_id == staff.c.operator_id)
            & (attempts.c.staff_id == staff.c.staff_id),
        )
    )
    .where(attempts.c.attempt_id == bindparam("attempt_id"), *_of_holder)
    .with_for_update(of=[staff, attempts])
)
_CLOSED_COLUMNS = (
    "status",
    "submitted_at",
    "score",
    "result",
    "idempotency_key",
    "request_hash",
    "outcome",
)
#: The WHERE parameter is not named after a column: update() reserves those for SET.
_CLOSE = (
    update(attempts)
    .where(attempts.c.attempt_id == bindparam("open_attempt_id"), attempts.c.status == "open")
    .values({name: bindparam(name) for name in _CLOSED_COLUMNS})
    .returning(attempts.c.attempt_id)
)


def _attempt(row: Any) -> Attempt:
    return Attempt(
        attempt_id=row.attempt_id,
        operator_id=row.operator_id,
        staff_id=row.staff_id,
        jurisdiction=row.jurisdiction,
        role=row.role,
        track_key=row.track_key,
        track_version=row.track_version,
        attempt_number=row.attempt_number,
        seed=row.seed,
        exam=ExamSnapshot.model_validate(row.exam),
        started_at=row.started_at,
        deadline=row.deadline,
        status=row.status,
        submitted_at=row.submitted_at,
        score=row.score,
        result=row.result,
    )


def _record(row: Any) -> AttemptRecord:
    return AttemptRecord(
        attempt=_attempt(row),
        idempotency_key=row.idempotency_key,
        request_hash=row.request_hash,
        outcome=row.outcome,
    )


def _overdue_query(*, cutoff: datetime, limit: int) -> Select[Any]:
    return (
        select(attempts, staff.c.name.label("holder_name"), staff.c.email.label("holder_email"))
        .join(
            staff,
            (staff.c.operator_id == attempts.c.operator_id)
            & (staff.c.staff_id == attempts.c.staff_id),
        )
        .where(attempts.c.status == "open", attempts.c.deadline < cutoff)
        .order_by(attempts.c.deadline)
        .limit(limit)
        .with_for_update(of=attempts, skip_locked=True)
    )


class SqlAttemptStore:
    """Implements service.ports.AttemptStore over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def history(self, operator_id: str, staff_id: str, track_key: str) -> ExamHistory:
        rows = await self._session.execute(
            select(attempts)
            .where(attempts.c.operator_id == operator_id, attempts.c.staff_id == staff_id)
            .where(attempts.c.track_key == track_key)
        )
        resets = await self._session.scalars(
            select(attempt_resets.c.reset_at)
            .where(attempt_resets.c.operator_id == operator_id)
            .where(attempt_resets.c.staff_id == staff_id, attempt_resets.c.track_key == track_key)
            .order_by(attempt_resets.c.reset_at)
        )
        return ExamHistory(
            staff_id=staff_id,
            track_key=track_key,
            attempts=tuple(_attempt(row) for row in rows),
            resets=tuple(resets),
        )

    async def get(
        self, operator_id: str, staff_id: str, attempt_id: str, *, lock: bool = False
    ) -> AttemptRecord | None:
        """An attempt of this staff member (scoped by operator and staff: never someone else's)."""
        found = await self._session.execute(
            _RECORD[lock],
            {"attempt_id": attempt_id, "operator_id": operator_id, "staff_id": staff_id},
        )
        row = found.first()
        return None if row is None else _record(row)

    async def lock_with_holder(
        self, operator_id: str, staff_id: str, attempt_id: str
    ) -> LockedAttempt | None:
        """The attempt and its holder, both rows locked (staff first) by one statement."""
        found = await self._session.execute(
            _LOCK_WITH_HOLDER,
            {"attempt_id": attempt_id, "operator_id": operator_id, "staff_id": staff_id},
        )
        row = found.first()
        return None if row is None else LockedAttempt(staff_member(row), _record(row))

    async def of_staff(
        self, operator_id: str, staff_id: str, *, track_key: str | None = None
    ) -> Sequence[Attempt]:
        query = select(attempts).where(
            attempts.c.operator_id == operator_id, attempts.c.staff_id == staff_id
        )
        if track_key is not None:
            query = query.where(attempts.c.track_key == track_key)
        rows = await self._session.execute(query.order_by(attempts.c.started_at.desc()))
        return [_attempt(row) for row in rows]

    async def insert(self, attempt: Attempt) -> None:
        await self._session.execute(
            attempts.insert().values(
                attempt_id=attempt.attempt_id,
                operator_id=attempt.operator_id,
                staff_id=attempt.staff_id,
                track_key=attempt.track_key,
                jurisdiction=attempt.jurisdiction,
                role=attempt.role,
                track_version=attempt.track_version,
                attempt_number=attempt.attempt_number,
                seed=attempt.seed,
                question_ids=attempt.exam.question_ids,
                exam=attempt.exam.model_dump(mode="json"),
                started_at=attempt.started_at,
                deadline=attempt.deadline,
                status=attempt.status,
            )
        )

    async def close(
        self,
        attempt: Attempt,
        *,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
        outcome: dict[str, Any] | None = None,
    ) -> bool:
        """Persist a graded or timed-out attempt; False if no longer open (closed elsewhere)."""
        closed = await self._session.execute(
            _CLOSE,
            {
                "open_attempt_id": attempt.attempt_id,
                "status": attempt.status,
                "submitted_at": attempt.submitted_at,
                "score": attempt.score,
                "result": attempt.result,
                "idempotency_key": idempotency_key,
                "request_hash": request_hash,
                "outcome": outcome,
            },
        )
        return closed.first() is not None

    async def add_reset(
        self,
        holder: StaffMember,
        *,
        track_key: str,
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        await self._session.execute(
            attempt_resets.insert().values(
                operator_id=holder.operator_id,
                staff_id=holder.staff_id,
                track_key=track_key,
                actor=actor,
                reason=reason,
                reset_at=at,
            )
        )

    async def overdue(self, *, cutoff: datetime, limit: int) -> list[OverdueAttempt]:
        """Open attempts past `cutoff` with their holder, locked for a sweep."""
        rows = await self._session.execute(_overdue_query(cutoff=cutoff, limit=limit))
        return [OverdueAttempt(_attempt(row), row.holder_name, row.holder_email) for row in rows]
