"""Transactional outbox: events are written with the state change and relayed to Kafka.

The relay holds a transaction-scoped advisory lock per batch, so only one replica publishes at
a time and rows leave in id order; a row is marked sent only after the broker acknowledged it.
If a message fails, later rows with the same key stay unsent too, so per-key order holds.
"""

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from academy_runtime.listen import listen
from academy_runtime.loops import every
from academy_runtime.metrics import RuntimeMetrics
from academy_runtime.tables import notify_channel
from contracts import Envelope, encode

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable["asyncio.Future[Any]"]]


async def add_events(session: AsyncSession, outbox: Table, *events: Envelope[Any]) -> None:
    """Stage events in the caller's transaction; they leave only if it commits."""
    if not events:
        return
    rows = []
    for envelope in events:
        record = encode(envelope)
        rows.append(
            {
                "event_id": envelope.id,
                "topic": record.topic,
                "key": envelope.tenantid,
                "headers": record.headers,
                "payload": record.value,
            }
        )
    await session.execute(insert(outbox), rows)


class OutboxRelay:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Table,
        publish: Publish,
        ensure_topics: Callable[[], Awaitable[None]],
        metrics: RuntimeMetrics,
        schema: str,
        listen_dsn: str | None,
        batch_size: int = 500,
        poll_interval_s: float = 0.2,
        publish_timeout_s: float = 15.0,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._publish = publish
        self._ensure_topics = ensure_topics
        self._metrics = metrics
        self._schema = schema
        self._listen_dsn = listen_dsn
        self._batch_size = batch_size
        self._poll = poll_interval_s
        self._timeout = publish_timeout_s
        self._lock_key = zlib.crc32(f"outbox:{schema}".encode())
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop`: at once while batches come back full, else every poll interval
        or on a NOTIFY from a commit (LISTEN, so events leave within milliseconds on every
        replica); failures back off from twice the poll interval up to 5 s."""
        listener = None
        if self._listen_dsn:
            listener = asyncio.create_task(
                listen(self._listen_dsn, notify_channel(self._schema), wake=self._wake, stop=stop),
                name=f"{self._schema}-outbox-listen",
            )

        async def relay_batch() -> float | None:
            sent = await self.relay_once()
            return 0.0 if sent >= self._batch_size else None

        try:
            await every(
                stop,
                self._poll,
                relay_batch,
                name="outbox relay batch",
                backoff_s=self._poll * 2,
                max_backoff_s=5.0,
                wake=self._wake,
                traceback=False,
            )
        finally:
            if listener is not None:
                listener.cancel()

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows were marked sent."""
        ob = self._outbox
        async with self._sessions() as session, session.begin():
            locked = await session.scalar(select(func.pg_try_advisory_xact_lock(self._lock_key)))
            if not locked:
                return 0
            rows = (
                await session.execute(
                    select(ob.c.id, ob.c.topic, ob.c.key, ob.c.headers, ob.c.payload)
                    .where(ob.c.sent_at.is_(None))
                    .order_by(ob.c.id)
                    .limit(self._batch_size)
                )
            ).all()
            if not rows:
                self._metrics.outbox_pending.set(0)
                return 0
            outcomes = await self._publish_all(rows)
            sent_ids, failed = _sent_prefix_per_key(rows, outcomes)
            now = datetime.now(UTC)
            if sent_ids:
                await session.execute(update(ob).where(ob.c.id.in_(sent_ids)).values(sent_at=now))
            if failed:
                await session.execute(
                    update(ob)
                    .where(ob.c.id.in_(list(failed)))
                    .values(
                        attempts=ob.c.attempts + 1, last_error=func.left(_error_text(failed), 500)
                    )
                )
            pending = await session.scalar(
                select(func.count()).select_from(ob).where(ob.c.sent_at.is_(None))
            )
        self._metrics.outbox_published.inc(len(sent_ids))
        self._metrics.outbox_pending.set(float(pending or 0) - len(sent_ids))
        if failed:
            self._metrics.outbox_failures.inc(len(failed))
            first = next(iter(failed.values()))
            if "UnknownTopic" in first or "Timeout" in first:
                await self._ensure_topics()
            raise RuntimeError(f"{len(failed)} outbox events not acknowledged: {first}")
        return len(sent_ids)

    async def _publish_all(self, rows: Sequence[Any]) -> list[BaseException | None]:
        async def one(row: Any) -> None:
            future = await self._publish(row.topic, row.key.encode(), row.payload, row.headers)
            await future

        tasks = [asyncio.ensure_future(one(row)) for row in rows]
        _done, pending = await asyncio.wait(tasks, timeout=self._timeout)
        for task in pending:
            task.cancel()
        results: list[BaseException | None] = []
        for task in tasks:
            if task in pending:
                results.append(TimeoutError("broker did not acknowledge in time"))
            else:
                results.append(task.exception())
        return results


def _sent_prefix_per_key(
    rows: Sequence[Any], outcomes: Sequence[BaseException | None]
) -> tuple[list[int], dict[int, str]]:
    """Rows acknowledged before the first failure of their key; the rest stay unsent."""
    broken: set[str] = set()
    sent: list[int] = []
    failed: dict[int, str] = {}
    for row, outcome in zip(rows, outcomes, strict=True):
        if row.key in broken or outcome is not None:
            broken.add(row.key)
            failed[row.id] = repr(outcome) if outcome is not None else "earlier event failed"
        else:
            sent.append(row.id)
    return sent, failed


def _error_text(failed: dict[int, str]) -> str:
    return next(iter(failed.values()))
