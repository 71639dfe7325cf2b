"""Operator administration: which jurisdictions an operator is going live in."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime.ports import EventSink
from assessment.adapters.orm import operators
from contracts.assessment import OperatorJurisdictionsSet


async def set_jurisdictions(
    session: AsyncSession,
    *,
    events: EventSink,
    operator_id: str,
    jurisdictions: list[str],
    actor: str,
    reason: str | None,
    now: datetime,
) -> bool:
    """Store the operator's jurisdictions; emits an event only when they change."""
    wanted = sorted(set(jurisdictions))
    current = await session.scalar(
        select(operators.c.jurisdictions)
        .where(operators.c.operator_id == operator_id)
        .with_for_update()
    )
    if current is not None and sorted(current) == wanted:
        return False
    await session.execute(
        insert(operators)
        .values(operator_id=operator_id, jurisdictions=wanted, updated_by=actor, updated_at=now)
        .on_conflict_do_update(
            index_elements=[operators.c.operator_id],
            set_={"jurisdictions": wanted, "updated_by": actor, "updated_at": now},
        )
    )
    data = OperatorJurisdictionsSet(
        operator_id=operator_id, jurisdictions=wanted, actor=actor, reason=reason, set_at=now
    )
    await events.emit(session, events.envelope(data, tenant=operator_id, subject=operator_id))
    return True


async def get_jurisdictions(session: AsyncSession, operator_id: str) -> list[str] | None:
    result = await session.scalar(
        select(operators.c.jurisdictions).where(operators.c.operator_id == operator_id)
    )
    return list(result) if result is not None else None
