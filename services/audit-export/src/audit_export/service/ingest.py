"""Append every event to its operator's audit log, once (idempotent on the event id)."""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import rfc8785
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from audit_export.adapters.orm import audit_log, log_heads
from contracts import Envelope, format_time
from contracts.cloudevents import to_structured

Clock = Callable[[], datetime]


def record_line(index: int, recorded_at: datetime, envelope: Envelope[Any]) -> bytes:
    """RFC 8785 canonical JSON of one audit record (one line of events.jsonl)."""
    record: dict[str, Any] = {
        "index": index,
        "recorded_at": format_time(recorded_at),
        "event": to_structured(envelope),
    }
    return rfc8785.dumps(record)


def leaf_hash(line: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + line).digest()


async def append(
    envelope: Envelope[Any], session: AsyncSession, *, clock: Clock = lambda: datetime.now(UTC)
) -> int | None:
    """Append the event to its tenant's log; returns its index, or None if already logged."""
    seen = await session.scalar(select(audit_log.c.idx).where(audit_log.c.event_id == envelope.id))
    if seen is not None:
        return None
    operator = envelope.tenantid
    await session.execute(
        insert(log_heads).values(operator_id=operator, size=0, frontier=[]).on_conflict_do_nothing()
    )
    head = (
        await session.execute(
            select(log_heads.c.size, log_heads.c.frontier)
            .where(log_heads.c.operator_id == operator)
            .with_for_update()
        )
    ).one()
    index = int(head.size)
    recorded_at = clock()
    line = record_line(index, recorded_at, envelope)
    await session.execute(
        insert(audit_log).values(
            operator_id=operator,
            idx=index,
            event_id=envelope.id,
            ce_type=envelope.type,
            recorded_at=recorded_at,
            line=line,
            leaf_hash=leaf_hash(line),
        )
    )
    await session.execute(
        update(log_heads).where(log_heads.c.operator_id == operator).values(size=index + 1)
    )
    return index


async def on_event(envelope: Envelope[Any], session: AsyncSession) -> None:
    await append(envelope, session)
