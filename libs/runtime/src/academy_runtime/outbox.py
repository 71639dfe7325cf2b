"""Transactional outbox: events are written with the state change and relayed to Kafka.

The relay holds a transaction-scoped advisory lock per batch, so only one replica publishes at
a time and rows leave in id order; a row is marked sent only after the broker acknowledged it.
If a message fails, later rows with the same key stay unsent too, so per-key order holds.
"""

import asyncio
import functools
import logging
import time
import zlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka.errors import KafkaTimeoutError, UnknownTopicOrPartitionError
from sqlalchemy import BigInteger, Insert, Table, any_, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from academy_runtime.dlq import ExactProducer
from academy_runtime.listen import listen
from academy_runtime.loops import every
from academy_runtime.metrics import RuntimeMetrics
from academy_runtime.tables import notify_channel
from contracts import Envelope, encode

log = logging.getLogger(__name__)

#: How stale `academy_outbox_pending` may get while full batches follow each other.
PENDING_RECOUNT_S = 1.0

Outcome = BaseException | None


def outbox_rows(events: Sequence[Envelope[Any]]) -> list[dict[str, Any]]:
    """The outbox rows of events, in order: what the relay sends, byte for byte."""
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
    return rows


@functools.cache
def outbox_insert(outbox: Table) -> Insert:
    """The outbox's insert, built once (SQLAlchemy then reuses its cache key and compilation)."""
    return insert(outbox)


async def add_events(session: AsyncSession, outbox: Table, *events: Envelope[Any]) -> None:
    """Stage events in the caller's transaction; they leave only if it commits."""
    if events:
        await session.execute(outbox_insert(outbox), outbox_rows(events))


def wire_headers(headers: dict[str, str]) -> list[tuple[str, bytes]]:
    """A row's headers as the relay sends them: `content-type` first, then the rest in stored
    order, as FastStream's publish laid them out (less its random `correlation_id`, which no
    consumer reads: `ce_id` identifies an event, `ce_traceparent` traces it)."""
    return [(name, value.encode()) for name, value in {"content-type": "", **headers}.items()]


class OutboxRelay:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Table,
        producer: ExactProducer,
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
        self._producer = producer
        self._ensure_topics = ensure_topics
        self._metrics = metrics
        self._schema = schema
        self._listen_dsn = listen_dsn
        self._batch_size = batch_size
        self._poll = poll_interval_s
        self._timeout = publish_timeout_s
        self._lock_key = zlib.crc32(f"outbox:{schema}".encode())
        self._wake = asyncio.Event()
        self._counted_at = float("-inf")

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
                self._counted_at = float("-inf")
                self._metrics.outbox_pending.set(0)
                return 0
            outcomes = await self._publish_all(rows)
            sent_ids, failed = _sent_prefix_per_key(rows, outcomes)
            ids = bindparam("ids", type_=ARRAY(BigInteger))
            if sent_ids:
                await session.execute(
                    update(ob).where(ob.c.id == any_(ids)).values(sent_at=datetime.now(UTC)),
                    {"ids": sent_ids},
                )
            if failed:
                await session.execute(
                    update(ob)
                    .where(ob.c.id == any_(ids))
                    .values(attempts=ob.c.attempts + 1, last_error=_error_text(failed)[:500]),
                    {"ids": list(failed)},
                )
            pending = await self._pending(
                session, short=len(rows) < self._batch_size, failed=failed
            )
        self._metrics.outbox_published.inc(len(sent_ids))
        if pending is None:
            self._metrics.outbox_pending.dec(len(sent_ids))
        else:
            self._metrics.outbox_pending.set(pending)
        if failed:
            self._metrics.outbox_failures.inc(len(failed))
            first = next(iter(failed.values()))
            if "UnknownTopic" in first or "Timeout" in first:
                await self._ensure_topics()
            raise RuntimeError(f"{len(failed)} outbox events not acknowledged: {first}")
        return len(sent_ids)

    async def _pending(
        self, session: AsyncSession, *, short: bool, failed: dict[int, str]
    ) -> int | None:
        """Rows still unsent after this batch (its own updates visible): 0 after a short clean
        batch, counted after a failure or once a second of full batches, else None (lower the
        gauge by what left)."""
        if short and not failed:
            self._counted_at = float("-inf")  # the next full batch counts afresh
            return 0
        now = time.monotonic()
        if not failed and now - self._counted_at < PENDING_RECOUNT_S:
            return None
        self._counted_at = now
        ob = self._outbox
        count = await session.scalar(
            select(func.count()).select_from(ob).where(ob.c.sent_at.is_(None))
        )
        return int(count or 0)

    async def _publish_all(self, rows: Sequence[Any]) -> list[Outcome]:
        """Hand the rows to the producer in id order, then await the acks together; one
        outcome per row. A topic whose metadata cannot be had fails its remaining rows at once
        (no second wait), a record the producer refuses holds back the later rows of its key,
        and acks still missing after the publish timeout fail as timeouts."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        try:
            producer = await self._producer.started()
        except Exception as exc:
            return [exc] * len(rows)
        sends: list[asyncio.Future[Any] | BaseException] = []
        refused: dict[str, BaseException] = {}
        held: dict[str, BaseException] = {}  # keys with a refused row: later ones stay here
        for row in rows:
            if row.topic in refused or row.key in held:
                sends.append(refused.get(row.topic) or held[row.key])
                continue
            try:
                sends.append(
                    await producer.send(
                        row.topic,
                        row.payload,
                        key=row.key.encode(),
                        headers=wire_headers(row.headers),
                    )
                )
            except (UnknownTopicOrPartitionError, KafkaTimeoutError) as exc:
                refused[row.topic] = exc
                sends.append(exc)
            except Exception as exc:  # this record, e.g. larger than the broker takes
                held[row.key] = exc
                sends.append(exc)
        acks = [sent for sent in sends if isinstance(sent, asyncio.Future)]
        if acks:
            await asyncio.wait(acks, timeout=max(deadline - loop.time(), 1.0))
        outcomes: list[Outcome] = []
        for sent in sends:
            if not isinstance(sent, asyncio.Future):
                outcomes.append(sent)
            elif not sent.done() or sent.cancelled():
                sent.cancel()
                outcomes.append(TimeoutError("broker did not acknowledge in time"))
            else:
                outcomes.append(sent.exception())
        return outcomes


def _sent_prefix_per_key(
    rows: Sequence[Any], outcomes: Sequence[Outcome]
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
