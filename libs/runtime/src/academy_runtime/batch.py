"""Apply a run of decoded records in one transaction with one inbox insert; isolate failures.

The inbox insert claims the run's event ids (`ON CONFLICT DO NOTHING RETURNING event_id`); only
claimed events reach the handlers, in offset order, in the same transaction, so a redelivered
record is applied once. A handler's `PoisonMessage` dead-letters that record and the rest is
applied again; any other error splits the run in halves until the failing record is alone, which
is retried `max_retries` times, then dead-lettered. Transient errors propagate: the caller
rewinds and retries the batch, never dead-lettering for them.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiokafka.errors import KafkaError
from sqlalchemy import Table, TextClause, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from academy_runtime.dlq import ExactProducer, Failure, dead_letter_headers
from academy_runtime.metrics import RuntimeMetrics
from academy_runtime.routes import PoisonMessage, Routes, UnitBinder
from contracts import Envelope, topics

log = logging.getLogger(__name__)

U = TypeVar("U")

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, OSError, TimeoutError, KafkaError)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, TRANSIENT)


@dataclass(frozen=True, slots=True)
class Item:
    """A record and the envelope decoded from it."""

    record: Any
    envelope: Envelope[Any]


def claim_statement(inbox: Table) -> TextClause:
    """The run's inbox insert: one statement with array parameters, so it is compiled and
    prepared once, not per run (a multi-row VALUES differs with every run length)."""
    return text(
        f"""
        INSERT INTO {inbox.fullname} (handler, event_id, topic, partition, "offset")
        SELECT CAST(:handler AS text), * FROM unnest(
            CAST(:event_ids AS text[]), CAST(:topics AS text[]),
            CAST(:partitions AS integer[]), CAST(:offsets AS bigint[])
        )
        ON CONFLICT DO NOTHING
        RETURNING event_id
        """  # noqa: S608 - the table name is ours, every value a parameter
    )


def position(record: Any) -> tuple[str, int, int]:
    return record.topic, record.partition, record.offset


class BatchApplier(Generic[U]):
    """Applies runs of one consumer; `done` collects the positions of finished records."""

    def __init__(
        self,
        *,
        name: str,
        group_id: str,
        service: str,
        routes: Routes[U],
        units: UnitBinder[U],
        sessions: async_sessionmaker[AsyncSession],
        inbox: Table,
        dead_letters: ExactProducer,
        metrics: RuntimeMetrics,
        max_retries: int,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.name = name
        self._group_id = group_id
        self._service = service
        self._routes = routes
        self._units = units
        self._sessions = sessions
        self._claim = claim_statement(inbox)
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._max_retries = max_retries
        self._sleep = sleep

    async def apply(self, items: Sequence[Item], done: set[tuple[str, int, int]]) -> None:
        pending = list(items)
        while pending:
            try:
                await self._transaction(pending)
            except Exception as exc:
                if is_transient(exc):
                    raise
                bad = _named_by(exc, pending)
                if bad is not None:
                    await self.dead_letter(bad.record, exc)
                    done.add(position(bad.record))
                    pending.remove(bad)
                    continue
                if len(pending) > 1:
                    half = len(pending) // 2
                    await self.apply(pending[:half], done)
                    await self.apply(pending[half:], done)
                    return
                await self._retry_alone(pending[0], exc)
            done.update(position(item.record) for item in pending)
            return

    async def _retry_alone(self, item: Item, exc: Exception) -> None:
        """Retry one record `max_retries` times (unexpected errors), then dead-letter it."""
        where = "{}[{}]@{}".format(*position(item.record))
        for attempt in range(1, self._max_retries + 1):
            if isinstance(exc, PoisonMessage):
                break
            log.error(
                "handler %s failed on %s (try %d): %r",
                self.name,
                where,
                attempt,
                exc,
                exc_info=exc,
            )
            await self._sleep(min(0.2 * 2**attempt, 5.0))
            try:
                await self._transaction([item])
            except Exception as again:
                if is_transient(again):
                    raise
                exc = again
            else:
                return
        await self.dead_letter(item.record, exc)

    async def _transaction(self, items: Sequence[Item]) -> None:
        """One inbox insert for the run; handlers see only the events it claimed."""
        started = time.perf_counter()
        async with self._sessions() as session, session.begin():
            parameters = {
                "handler": self.name,
                "event_ids": [item.envelope.id for item in items],
                "topics": [item.record.topic for item in items],
                "partitions": [item.record.partition for item in items],
                "offsets": [item.record.offset for item in items],
            }
            claimed = set((await session.execute(self._claim, parameters)).scalars())
            fresh: list[Envelope[Any]] = []
            for item in items:
                if item.envelope.id in claimed:
                    claimed.discard(item.envelope.id)  # a second copy in the run is a duplicate
                    fresh.append(item.envelope)
            if fresh:
                await self._routes.apply(fresh, self._units.bind(session))
        consumed = self._metrics.consumed
        consumed.labels(self.name, "processed").inc(len(fresh))
        consumed.labels(self.name, "duplicate").inc(len(items) - len(fresh))
        self._metrics.handle_seconds.labels(self.name).observe(time.perf_counter() - started)
        self._metrics.batch_records.labels(self.name).observe(len(items))

    async def dead_letter(self, record: Any, exc: BaseException) -> None:
        """Copy the record, byte for byte, to `<topic>.dlq` with what failed where."""
        failure = Failure(service=self._service, group=self._group_id, handler=self.name, error=exc)
        headers = dead_letter_headers(
            record.headers or (),
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            failure=failure,
        )
        await self._dead_letters.send(
            topics.dlq(record.topic), key=record.key, value=record.value, headers=headers
        )
        self._metrics.dead_lettered.labels(self.name).inc()
        self._metrics.consumed.labels(self.name, "dead_lettered").inc()
        log.warning(
            "dead-lettered %s[%d]@%d: %s",
            record.topic,
            record.partition,
            record.offset,
            exc,
            extra={"handler": self.name, "consumer_group": self._group_id},
        )


def _named_by(exc: Exception, items: Sequence[Item]) -> Item | None:
    """The item a `PoisonMessage` names (its first copy), if it names one of them."""
    if not isinstance(exc, PoisonMessage) or exc.event_id is None:
        return None
    return next((item for item in items if item.envelope.id == exc.event_id), None)
