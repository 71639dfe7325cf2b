"""The idempotent batch consumer: typed routes, inbox keyed on ce_id, commit after durable work.

Records come in batches (bounded by `*_CONSUMER_BATCH_MAX_RECORDS`, `…_MAX_BYTES` and
`…_WAIT_MS`). A record of a type the consumer has no route for, but that belongs on its topic,
is acknowledged from its `ce_type` header alone (outcome `skipped`: no decoding, no
transaction). The others are decoded and applied in runs, in offset order, each run in one
transaction with one inbox insert (`batch.BatchApplier`); a record that cannot be decoded, or
that its handler refuses, goes to `<topic>.dlq` byte for byte and the rest is applied. Offsets
are committed only after every record of the batch is applied, skipped or dead-lettered;
transient failures (database or broker down) rewind to the first unfinished record of each
partition and retry with backoff, never dead-lettering. The loop never dies.
"""

import asyncio
import copy
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from aiokafka import TopicPartition
from aiokafka.errors import KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from academy_runtime.batch import BatchApplier, Item, is_transient, position
from academy_runtime.dlq import ExactProducer
from academy_runtime.lag import LagTarget
from academy_runtime.loops import backoff_delays
from academy_runtime.metrics import RuntimeMetrics
from academy_runtime.routes import PoisonMessage, Route, Routes, UnitBinder
from academy_runtime.settings import ServiceSettings
from contracts import EnvelopeError, decode
from contracts.mesh import Consumes, types_on

__all__ = ["IdempotentConsumer", "PoisonMessage"]

log = logging.getLogger(__name__)

U = TypeVar("U")


class IdempotentConsumer(Generic[U]):
    def __init__(
        self,
        *,
        consumes: Consumes,
        routes: Sequence[Route[U]],
        units: UnitBinder[U],
        broker: KafkaBroker,
        dead_letters: ExactProducer,
        sessions: async_sessionmaker[AsyncSession],
        inbox: Table,
        metrics: RuntimeMetrics,
        settings: ServiceSettings,
    ) -> None:
        self.name = consumes.name
        self.topics = list(consumes.topics)
        self.routes = Routes(consumes, routes)
        self.group_id = f"{settings.group_id}.{self.name}"
        self._metrics = metrics
        self._max_bytes = settings.consumer_batch_max_bytes
        handled = {model.ce_type for model in consumes.types}  # what Routes holds, checked
        #: Types that belong on each topic but that this consumer does not act on.
        self._skippable = {topic: types_on(topic) - handled for topic in self.topics}
        self._skipped = metrics.consumed.labels(self.name, "skipped")
        self._transient_failures = 0
        self._retry_delay = backoff_delays(0.5, 10.0)
        self.applier = BatchApplier(
            name=self.name,
            group_id=self.group_id,
            service=settings.service_name,
            routes=self.routes,
            units=units,
            sessions=sessions,
            inbox=inbox,
            dead_letters=dead_letters,
            metrics=metrics,
            max_retries=settings.consumer_max_retries,
        )
        self.subscriber = broker.subscriber(
            *self.topics,
            batch=True,
            max_records=settings.consumer_batch_max_records,
            batch_timeout_ms=settings.consumer_batch_wait_ms,
            group_id=self.group_id,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            session_timeout_ms=settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
            fetch_min_bytes=settings.kafka_fetch_min_bytes,
            title=f"{settings.service_name}.{self.name}",
            parser=_tolerant_parse,
            decoder=_raw_body,
        )
        self.subscriber(self._consume)
        metrics.consumer_lag.labels(self.name)  # the series exists (0) before the first measurement

    @property
    def lag_target(self) -> LagTarget:
        return LagTarget(handler=self.name, group_id=self.group_id, topics=tuple(self.topics))

    async def _consume(self, msg: KafkaMessage) -> None:
        records: Sequence[Any] = msg.raw_message
        done: set[tuple[str, int, int]] = set()
        try:
            await self.process(records, done)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._retry_later(msg, records, done, exc)
            return
        self._transient_failures = 0
        try:
            await msg.ack()
        except KafkaError as exc:  # a rebalance: the partition's next owner dedupes on the inbox
            log.warning("offsets of %s not committed: %r", self.name, exc)

    async def process(self, records: Sequence[Any], done: set[tuple[str, int, int]]) -> None:
        """Skip, dead-letter or apply every record, in order; `done` collects finished ones."""
        run: list[Item] = []
        size = 0
        for record in records:
            ce_type = _header(record, "ce_type")
            if ce_type in self._skippable[record.topic]:
                done.add(position(record))
                self._skipped.inc()
                continue
            try:
                envelope = decode(record.headers or [], record.value or b"")
                if not self.routes.handles(envelope.type):
                    raise EnvelopeError(f"{envelope.type} does not belong on {record.topic}")
            except EnvelopeError as exc:
                await self.applier.apply(run, done)  # keeps the dead letters in offset order
                run, size = [], 0
                await self.applier.dead_letter(record, exc)
                done.add(position(record))
                continue
            run.append(Item(record, envelope))
            size += len(record.value or b"") + len(record.key or b"")
            if size >= self._max_bytes:
                await self.applier.apply(run, done)
                run, size = [], 0
        await self.applier.apply(run, done)

    async def _retry_later(
        self, msg: KafkaMessage, records: Sequence[Any], done: set[Any], exc: Exception
    ) -> None:
        """Rewind each partition to its first unfinished record after a backoff."""
        self._transient_failures += 1
        delay = self._retry_delay(self._transient_failures)
        if is_transient(exc):
            log.warning("transient failure in %s, retrying in %.1fs: %r", self.name, delay, exc)
        else:
            log.error(
                "handler %s failed on a batch, retrying in %.1fs", self.name, delay, exc_info=exc
            )
        unfinished = [r for r in records if position(r) not in done]
        self._metrics.consumed.labels(self.name, "retry").inc(len(unfinished))
        await asyncio.sleep(delay)
        first: dict[TopicPartition, int] = {}
        for record in unfinished:
            first.setdefault(TopicPartition(record.topic, record.partition), record.offset)
        consumer: Any = msg.consumer
        for partition, offset in first.items():
            try:
                consumer.seek(partition, offset)
            except Exception as seek_exc:  # revoked meanwhile: its next owner reads it again
                log.warning("could not rewind %s: %r", partition, seek_exc)


def _header(record: Any, name: str) -> str:
    for key, value in record.headers or ():
        if key == name:
            return _text(value)
    return ""


async def _tolerant_parse(records: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream's parser UTF-8-decodes every header and would fail before our handler runs
    (silently skipping the batch); parse sanitised copies and keep the raw records for the DLQ.
    """
    safe = tuple(record if _utf8_headers(record) else _sanitised(record) for record in records)
    message = await original(safe)
    message.raw_message = records
    return message


def _utf8_headers(record: Any) -> bool:
    """Whether FastStream can decode every header value as it is (bytes, valid UTF-8)."""
    try:
        for _name, value in record.headers or ():
            if not isinstance(value, bytes | bytearray):
                return False  # a null header value, say
            bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _sanitised(record: Any) -> Any:
    """A copy whose header values FastStream can decode (only for records that need one)."""
    clean = copy.copy(record)
    clean.headers = [(name, _text(value).encode()) for name, value in (record.headers or [])]
    return clean


async def _raw_body(message: Any, _original: Callable[[Any], Awaitable[Any]]) -> Any:
    """Never JSON-decode in FastStream: the consumer decodes (and dead-letters) itself."""
    return message.body


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)
