"""SQL for the pack chain (chains, built packs) and the export runs."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from audit_export.adapters.orm import export_runs, pack_chains, packs
from audit_export.domain.chain import ExportRun, ExportState, PackLink, RunStatus
from auditpack.merkle import LogState


async def chain_first_day(session: AsyncSession, operator_id: str) -> date | None:
    first: date | None = await session.scalar(
        select(pack_chains.c.first_day).where(pack_chains.c.operator_id == operator_id)
    )
    return first


async def register_chain(
    session: AsyncSession, operator_id: str, first_day: date, *, now: datetime
) -> date:
    """Fix the chain's first day (the first registration wins); returns the stored one."""
    await session.execute(
        insert(pack_chains)
        .values(operator_id=operator_id, first_day=first_day, registered_at=now)
        .on_conflict_do_nothing()
    )
    stored = await chain_first_day(session, operator_id)
    assert stored is not None
    return stored


def _link(row: Row[Any]) -> PackLink:
    return PackLink(
        operator_id=row.operator_id,
        day=row.day,
        pack_seq=int(row.pack_seq),
        previous_manifest_sha256=row.previous_manifest_sha256,
        manifest_sha256=row.manifest_sha256,
        log_before=LogState(
            int(row.tree_size_before), tuple(bytes(h) for h in row.frontier_before)
        ),
        log_after=LogState(int(row.tree_size), tuple(bytes(h) for h in row.frontier)),
        key_id=row.key_id,
        event_count=int(row.event_count),
        zip_bytes=int(row.zip_bytes),
        zip_sha256=row.zip_sha256,
        built_at=row.built_at,
    )


async def link(session: AsyncSession, operator_id: str, day: date) -> PackLink | None:
    row = (
        await session.execute(
            select(packs).where(packs.c.operator_id == operator_id, packs.c.day == day)
        )
    ).first()
    return None if row is None else _link(row)


async def last_link(session: AsyncSession, operator_id: str) -> PackLink | None:
    row = (
        await session.execute(
            select(packs)
            .where(packs.c.operator_id == operator_id)
            .order_by(packs.c.day.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else _link(row)


async def add_link(session: AsyncSession, built: PackLink, *, status: RunStatus) -> None:
    """Record a newly built pack and open its export run, in one transaction."""
    await session.execute(
        insert(packs).values(
            operator_id=built.operator_id,
            day=built.day,
            pack_seq=built.pack_seq,
            previous_manifest_sha256=built.previous_manifest_sha256,
            manifest_sha256=built.manifest_sha256,
            tree_size_before=built.log_before.size,
            frontier_before=list(built.log_before.frontier),
            tree_size=built.log_after.size,
            frontier=list(built.log_after.frontier),
            root=built.root_hex,
            key_id=built.key_id,
            event_count=built.event_count,
            zip_bytes=built.zip_bytes,
            zip_sha256=built.zip_sha256,
            built_at=built.built_at,
        )
    )
    await session.execute(
        insert(export_runs)
        .values(operator_id=built.operator_id, day=built.day, status=status.value)
        .on_conflict_do_nothing()
    )


async def open_run(session: AsyncSession, operator_id: str, day: date) -> None:
    """The operator-day's export run, created pending before its first delivery try."""
    await session.execute(
        insert(export_runs)
        .values(operator_id=operator_id, day=day, status=RunStatus.PENDING.value)
        .on_conflict_do_nothing()
    )


def _run(row: Row[Any], *, day: date | None = None) -> ExportRun:
    """An export run from its row (`day`: the run's day, when the row names it otherwise)."""
    return ExportRun(
        operator_id=row.operator_id,
        day=row.day if day is None else day,
        status=RunStatus(row.status),
        attempts=int(row.attempts),
        last_error=row.last_error,
        failure_reason=row.failure_reason,
        next_attempt_at=row.next_attempt_at,
        remote_path=row.remote_path,
        delivered_at=row.delivered_at,
    )


async def open_runs(session: AsyncSession, operator_id: str) -> list[ExportRun]:
    """The operator's runs not yet delivered, oldest day first."""
    rows = await session.execute(
        select(export_runs)
        .where(
            export_runs.c.operator_id == operator_id,
            export_runs.c.status != RunStatus.SUCCEEDED.value,
        )
        .order_by(export_runs.c.day)
    )
    return [_run(row) for row in rows]


async def runs(
    session: AsyncSession, operator_id: str, *, limit: int, before: date | None = None
) -> list[ExportRun]:
    """The operator's runs, newest day first."""
    query = select(export_runs).where(export_runs.c.operator_id == operator_id)
    if before is not None:
        query = query.where(export_runs.c.day < before)
    rows = await session.execute(query.order_by(export_runs.c.day.desc()).limit(limit))
    return [_run(row) for row in rows]


async def mark_succeeded(
    session: AsyncSession,
    operator_id: str,
    day: date,
    *,
    attempts: int,
    remote_path: str,
    now: datetime,
) -> None:
    await session.execute(
        update(export_runs)
        .where(export_runs.c.operator_id == operator_id, export_runs.c.day == day)
        .values(
            status=RunStatus.SUCCEEDED.value,
            attempts=export_runs.c.attempts + attempts,
            remote_path=remote_path,
            delivered_at=now,
            next_attempt_at=None,
            updated_at=now,
        )
    )


async def mark_failed(
    session: AsyncSession,
    operator_id: str,
    day: date,
    *,
    attempts: int,
    error: str,
    reason: str,
    next_attempt_at: datetime,
    now: datetime,
) -> int:
    """Record failed tries; returns the run's total attempts."""
    total = await session.scalar(
        update(export_runs)
        .where(export_runs.c.operator_id == operator_id, export_runs.c.day == day)
        .values(
            status=RunStatus.FAILED.value,
            attempts=export_runs.c.attempts + attempts,
            last_error=error,
            failure_reason=reason,
            next_attempt_at=next_attempt_at,
            updated_at=now,
        )
        .returning(export_runs.c.attempts)
    )
    return int(total or 0)


async def retry_now(session: AsyncSession, operator_id: str, day: date, *, now: datetime) -> bool:
    """Make an undelivered run due at once (after the archive was fixed); False if none."""
    result = await session.execute(
        update(export_runs)
        .where(
            export_runs.c.operator_id == operator_id,
            export_runs.c.day == day,
            export_runs.c.status != RunStatus.SUCCEEDED.value,
        )
        .values(next_attempt_at=now, updated_at=now)
        .returning(export_runs.c.id)
    )
    return result.first() is not None


#: Per operator, by primary key or index probes (chain, log entry 0 while there is no chain,
#: newest pack, oldest open run on ix_export_runs_open): one statement for a whole pass.
_EXPORT_STATES = text(
    """
    SELECT o.operator_id, c.first_day, f.recorded_at AS first_record_at, p.day AS last_day,
           r.day AS run_day, r.status, r.attempts, r.last_error, r.failure_reason,
           r.next_attempt_at, r.remote_path, r.delivered_at
    FROM unnest(CAST(:operators AS text[])) AS o (operator_id)
    LEFT JOIN audit_export.pack_chains AS c ON c.operator_id = o.operator_id
    LEFT JOIN LATERAL (
        SELECT l.recorded_at FROM audit_export.audit_log AS l
        WHERE c.first_day IS NULL AND l.operator_id = o.operator_id AND l.idx = 0
    ) AS f ON true
    LEFT JOIN LATERAL (
        SELECT k.day FROM audit_export.packs AS k
        WHERE k.operator_id = o.operator_id ORDER BY k.day DESC LIMIT 1
    ) AS p ON true
    LEFT JOIN LATERAL (
        SELECT * FROM audit_export.export_runs AS e
        WHERE e.operator_id = o.operator_id AND e.status <> 'succeeded'
        ORDER BY e.day LIMIT 1
    ) AS r ON true
    """
)


async def export_states(
    session: AsyncSession, operator_ids: Sequence[str]
) -> dict[str, ExportState]:
    """What a pass needs to tell which operators have work, for all of them in one go."""
    if not operator_ids:
        return {}
    rows = await session.execute(_EXPORT_STATES, {"operators": sorted(set(operator_ids))})
    return {
        row.operator_id: ExportState(
            operator_id=row.operator_id,
            first_day=row.first_day,
            first_record_at=row.first_record_at,
            last_day=row.last_day,
            oldest_open=None if row.run_day is None else _run(row, day=row.run_day),
        )
        for row in rows
    }


#: Every chain with its operator's last delivered pack: a probe of `ix_export_runs_last_success`
#: per operator (a pack needs its chain, so every succeeded run has one), not a GROUP BY over
#: every succeeded run, which grew with operators x days.
_CHAINS = select(
    pack_chains.c.operator_id,
    pack_chains.c.registered_at,
    select(export_runs.c.delivered_at)
    .where(
        export_runs.c.operator_id == pack_chains.c.operator_id,
        export_runs.c.status == RunStatus.SUCCEEDED.value,
    )
    .order_by(export_runs.c.delivered_at.desc().nulls_last())
    .limit(1)
    .scalar_subquery()
    .label("last_success"),
)


async def status_snapshot(session: AsyncSession) -> dict[str, Any]:
    """What the export gauges show: failing runs, last success per operator, chains."""
    failing = await session.scalar(
        select(func.count())
        .select_from(export_runs)
        .where(export_runs.c.status == RunStatus.FAILED.value)
    )
    chains = (await session.execute(_CHAINS)).all()
    open_days = await session.execute(
        select(export_runs.c.operator_id, func.count())
        .where(export_runs.c.status != RunStatus.SUCCEEDED.value)
        .group_by(export_runs.c.operator_id)
    )
    return {
        "failing": int(failing or 0),
        "last_success": {
            row.operator_id: row.last_success for row in chains if row.last_success is not None
        },
        "registered": {row.operator_id: row.registered_at for row in chains},
        "open_days": {op: int(n) for op, n in open_days},
    }


class SqlChainStore:
    """Implements service.ports.ChainStore over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def chain_first_day(self, operator_id: str) -> date | None:
        return await chain_first_day(self._session, operator_id)

    async def register_chain(self, operator_id: str, first_day: date, *, now: datetime) -> date:
        return await register_chain(self._session, operator_id, first_day, now=now)

    async def link(self, operator_id: str, day: date) -> PackLink | None:
        return await link(self._session, operator_id, day)

    async def last_link(self, operator_id: str) -> PackLink | None:
        return await last_link(self._session, operator_id)

    async def add_link(self, built: PackLink, *, status: RunStatus) -> None:
        await add_link(self._session, built, status=status)

    async def export_states(self, operator_ids: Sequence[str]) -> dict[str, ExportState]:
        return await export_states(self._session, operator_ids)

    async def status_snapshot(self) -> dict[str, Any]:
        return await status_snapshot(self._session)


class SqlExportRuns:
    """Implements service.ports.ExportRuns over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open_run(self, operator_id: str, day: date) -> None:
        await open_run(self._session, operator_id, day)

    async def open_runs(self, operator_id: str) -> list[ExportRun]:
        return await open_runs(self._session, operator_id)

    async def runs(
        self, operator_id: str, *, limit: int, before: date | None = None
    ) -> list[ExportRun]:
        return await runs(self._session, operator_id, limit=limit, before=before)

    async def mark_succeeded(
        self, operator_id: str, day: date, *, attempts: int, remote_path: str, now: datetime
    ) -> None:
        await mark_succeeded(
            self._session, operator_id, day, attempts=attempts, remote_path=remote_path, now=now
        )

    async def mark_failed(
        self,
        operator_id: str,
        day: date,
        *,
        attempts: int,
        error: str,
        reason: str,
        next_attempt_at: datetime,
        now: datetime,
    ) -> int:
        return await mark_failed(
            self._session,
            operator_id,
            day,
            attempts=attempts,
            error=error,
            reason=reason,
            next_attempt_at=next_attempt_at,
            now=now,
        )

    async def retry_now(self, operator_id: str, day: date, *, now: datetime) -> bool:
        return await retry_now(self._session, operator_id, day, now=now)
