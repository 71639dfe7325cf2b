"""SQL over the append-only audit log and its per-operator heads."""

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from audit_export.adapters.orm import audit_log, log_heads
from audit_export.service.ports import Head, HeadAfter, LogEntry, NewRecord
from auditpack.merkle import LogState

__all__ = ["Head", "SqlLogStore"]


async def lock_head(session: AsyncSession, operator_id: str) -> Head:
    """Create the operator's head if needed and lock it until the transaction ends.

    Every append of the operator serialises on this row lock, so indexes are gapless and
    `recorded_at` never goes backwards; sealing a day takes the same lock.
    """
    statement = (
        insert(log_heads)
        .values(operator_id=operator_id, size=0, frontier=[])
        .on_conflict_do_update(
            index_elements=[log_heads.c.operator_id], set_={"size": log_heads.c.size}
        )
        .returning(
            log_heads.c.size,
            log_heads.c.frontier,
            log_heads.c.last_recorded_at,
            log_heads.c.sealed_until,
        )
    )
    row = (await session.execute(statement)).one()
    return Head(
        state=LogState(int(row.size), tuple(bytes(h) for h in row.frontier)),
        last_recorded_at=row.last_recorded_at,
        sealed_until=row.sealed_until,
    )


#: Every operator's head, created if needed, locked in one statement; ORDER BY takes the row
#: locks in operator order (codepoints, as `sorted`), so concurrent batches never deadlock.
_LOCK_HEADS = text(
    """
    INSERT INTO audit_export.log_heads (operator_id, size, frontier)
    SELECT o, 0, '{}' FROM unnest(CAST(:operators AS text[])) AS o ORDER BY o COLLATE "C"
    ON CONFLICT (operator_id) DO UPDATE SET size = log_heads.size
    RETURNING operator_id, size, frontier, last_recorded_at, sealed_until
    """
)

#: One array parameter, not `IN (...)` with a parameter per id rendered for every batch.
_LOGGED = text(
    "SELECT event_id FROM audit_export.audit_log WHERE event_id = ANY(CAST(:event_ids AS text[]))"
)

#: A batch's rows as one statement with array parameters: compiled and prepared once.
_APPEND = text(
    """
    INSERT INTO audit_export.audit_log
        (operator_id, idx, event_id, ce_type, recorded_at, line, leaf_hash)
    SELECT * FROM unnest(
        CAST(:operator_ids AS text[]), CAST(:indexes AS bigint[]), CAST(:event_ids AS text[]),
        CAST(:ce_types AS text[]), CAST(:recorded_at AS timestamptz[]),
        CAST(:lines AS bytea[]), CAST(:leaves AS bytea[])
    )
    """
)

#: One head's new state; executed for all heads of a batch at once (pipelined executemany).
_ADVANCE = text(
    """
    UPDATE audit_export.log_heads
    SET size = :size, frontier = :frontier, last_recorded_at = :last_recorded_at
    WHERE operator_id = :operator_id
    """
)


async def lock_heads(session: AsyncSession, operator_ids: Sequence[str]) -> dict[str, Head]:
    """`lock_head` for several operators in one round trip, locking them in operator order."""
    if not operator_ids:
        return {}
    rows = await session.execute(_LOCK_HEADS, {"operators": sorted(set(operator_ids))})
    return {
        row.operator_id: Head(
            state=LogState(int(row.size), tuple(bytes(h) for h in row.frontier)),
            last_recorded_at=row.last_recorded_at,
            sealed_until=row.sealed_until,
        )
        for row in rows
    }


async def logged(session: AsyncSession, event_ids: Sequence[str]) -> set[str]:
    """Those of `event_ids` the log already holds."""
    if not event_ids:
        return set()
    found = await session.scalars(_LOGGED, {"event_ids": list(event_ids)})
    return set(found)


async def append_records(
    session: AsyncSession, records: Sequence[NewRecord], heads: Mapping[str, HeadAfter]
) -> None:
    """Insert the rows with one statement and advance the heads with one more round trip.

    A row whose event id is logged meanwhile fails the statement (the unique constraint), so
    the batch is retried and nothing is written out of order.
    """
    if records:
        await session.execute(
            _APPEND,
            {
                "operator_ids": [r.operator_id for r in records],
                "indexes": [r.index for r in records],
                "event_ids": [r.event_id for r in records],
                "ce_types": [r.ce_type for r in records],
                "recorded_at": [r.recorded_at for r in records],
                "lines": [r.line for r in records],
                "leaves": [r.leaf for r in records],
            },
        )
    if heads:
        await session.execute(
            _ADVANCE,
            [
                {
                    "operator_id": operator_id,
                    "size": head.state.size,
                    "frontier": list(head.state.frontier),
                    "last_recorded_at": head.last_recorded_at,
                }
                for operator_id, head in heads.items()
            ],
        )


async def seal(session: AsyncSession, operator_id: str, until: datetime) -> int:
    """No record of the operator may be appended before `until` any more; returns log size.

    Taken under the head's row lock, so appends in flight commit first and every later one
    gets a `recorded_at` at or after `until`: a sealed day's records are final.
    """
    head = await lock_head(session, operator_id)
    if head.sealed_until is None or head.sealed_until < until:
        await session.execute(
            update(log_heads)
            .where(log_heads.c.operator_id == operator_id)
            .values(sealed_until=until)
        )
    return head.state.size


async def first_index_at_or_after(
    session: AsyncSession, operator_id: str, moment: datetime, *, default: int
) -> int:
    """The index of the operator's first record recorded at or after `moment` (else default)."""
    found = await session.scalar(
        select(audit_log.c.idx)
        .where(audit_log.c.operator_id == operator_id, audit_log.c.recorded_at >= moment)
        .order_by(audit_log.c.recorded_at, audit_log.c.idx)
        .limit(1)
    )
    return default if found is None else int(found)


async def first_recorded_at(session: AsyncSession, operator_id: str) -> datetime | None:
    moment: datetime | None = await session.scalar(
        select(audit_log.c.recorded_at).where(
            audit_log.c.operator_id == operator_id, audit_log.c.idx == 0
        )
    )
    return moment


async def operators_in_log(session: AsyncSession) -> list[str]:
    rows = await session.scalars(
        select(log_heads.c.operator_id)
        .where(log_heads.c.size > 0)
        .order_by(log_heads.c.operator_id)
    )
    return list(rows)


async def entries(
    session: AsyncSession, operator_id: str, *, after: int, limit: int
) -> tuple[int, list[LogEntry]]:
    """(the operator's log size, up to `limit` entries with index > `after`, in order)."""
    size = await session.scalar(
        select(func.count()).select_from(audit_log).where(audit_log.c.operator_id == operator_id)
    )
    rows = (
        await session.execute(
            select(
                audit_log.c.idx, audit_log.c.event_id, audit_log.c.ce_type, audit_log.c.recorded_at
            )
            .where(audit_log.c.operator_id == operator_id, audit_log.c.idx > after)
            .order_by(audit_log.c.idx)
            .limit(limit)
        )
    ).all()
    return int(size or 0), [
        LogEntry(index=r.idx, event_id=r.event_id, ce_type=r.ce_type, recorded_at=r.recorded_at)
        for r in rows
    ]


class SqlLogStore:
    """Implements service.ports.LogStore over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_heads(self, operator_ids: Sequence[str]) -> dict[str, Head]:
        return await lock_heads(self._session, operator_ids)

    async def logged(self, event_ids: Sequence[str]) -> set[str]:
        return await logged(self._session, event_ids)

    async def append_records(
        self, records: Sequence[NewRecord], heads: Mapping[str, HeadAfter]
    ) -> None:
        await append_records(self._session, records, heads)

    async def seal(self, operator_id: str, until: datetime) -> int:
        return await seal(self._session, operator_id, until)

    async def first_index_at_or_after(
        self, operator_id: str, moment: datetime, *, default: int
    ) -> int:
        return await first_index_at_or_after(self._session, operator_id, moment, default=default)

    async def first_recorded_at(self, operator_id: str) -> datetime | None:
        return await first_recorded_at(self._session, operator_id)

    async def operators_in_log(self) -> list[str]:
        return await operators_in_log(self._session)

    async def entries(
        self, operator_id: str, *, after: int, limit: int
    ) -> tuple[int, list[LogEntry]]:
        return await entries(self._session, operator_id, after=after, limit=limit)
