"""The idempotent consumer: inbox keyed on ce_id, commit after durable work, poison to DLQ.

Each message is handled in one database transaction that also records its ce_id in the inbox,
so a redelivered event is applied once. The offset is committed only after that transaction
committed. Bad messages go to `<topic>.dlq` with the error in headers; transient failures
(database or broker down) are retried with backoff and never dead-lettered; unexpected errors
are retried `max_retries` times first. The loop never dies.
"""

import asyncio
import copy
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka.errors import KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from academy_runtime.dlq import ExactProducer, Failure, dead_letter_headers
from academy_runtime.lag import LagTarget
from academy_runtime.metrics import RuntimeMetrics
from academy_runtime.settings import ServiceSettings
from contracts import Envelope, EnvelopeError, decode, topics

log = logging.getLogger(__name__)

Handler = Callable[[Envelope[Any], AsyncSession], Awaitable[None]]


class PoisonMessage(Exception):
    """Raised by a handler for a message that can never be processed (goes to the DLQ)."""


TRANSIENT = (OperationalError, InterfaceError, ConnectionError, OSError, TimeoutError, KafkaError)


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, TRANSIENT)


class IdempotentConsumer:
    def __init__(
        self,
        *,
        name: str,
        topics: Sequence[str],
        handler: Handler,
        broker: KafkaBroker,
        dead_letters: ExactProducer,
        sessions: async_sessionmaker[AsyncSession],
        inbox: Table,
        metrics: RuntimeMetrics,
        settings: ServiceSettings,
    ) -> None:
        self.name = name
        self.topics = list(topics)
        self._handler = handler
        self._dead_letters = dead_letters
        self._sessions = sessions
        self._inbox = inbox
        self._metrics = metrics
        self._max_retries = settings.consumer_max_retries
        self._failures: dict[tuple[int, int], int] = {}
        self.group_id = f"{settings.group_id}.{name}"
        self._service = settings.service_name
        self.subscriber = broker.subscriber(
            *self.topics,
            group_id=self.group_id,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            session_timeout_ms=settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
            title=f"{settings.service_name}.{name}",
            parser=_tolerant_parse,
            decoder=_raw_body,
        )
        self.subscriber(self._consume)
        metrics.consumer_lag.labels(name)  # the series exists (0) before the first measurement

    @property
    def lag_target(self) -> LagTarget:
        return LagTarget(handler=self.name, group_id=self.group_id, topics=tuple(self.topics))

    async def _consume(self, msg: KafkaMessage) -> None:
        record: Any = msg.raw_message
        started = time.perf_counter()
        try:
            outcome = await self._process(record)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                raise
            outcome = await self._on_failure(record, exc)
        if outcome == "retry":
            await msg.nack()
        else:
            self._failures.pop((record.partition, record.offset), None)
            await msg.ack()
        self._metrics.consumed.labels(self.name, outcome).inc()
        self._metrics.handle_seconds.labels(self.name).observe(time.perf_counter() - started)

    async def _process(self, record: Any) -> str:
        try:
            envelope = decode(record.headers or [], record.value or b"")
        except EnvelopeError as exc:
            await self._dead_letter(record, exc)
            return "dead_lettered"
        inbox = self._inbox
        async with self._sessions() as session, session.begin():
            claimed = await session.execute(
                insert(inbox)
                .values(
                    handler=self.name,
                    event_id=envelope.id,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                )
                .on_conflict_do_nothing()
                .returning(inbox.c.event_id)
            )
            if claimed.first() is None:
                return "duplicate"
            await self._handler(envelope, session)
        return "processed"

    async def _on_failure(self, record: Any, exc: BaseException) -> str:
        where = f"{record.topic}[{record.partition}]@{record.offset}"
        if isinstance(exc, PoisonMessage):
            log.warning("poison message %s: %s", where, exc, extra={"handler": self.name})
            return await self._dead_letter_or_retry(record, exc)
        if _is_transient(exc):
            log.warning("transient failure on %s, will retry: %r", where, exc)
            await asyncio.sleep(1.0)
            return "retry"
        key = (record.partition, record.offset)
        self._failures[key] = self._failures.get(key, 0) + 1
        if self._failures[key] <= self._max_retries:
            log.exception("handler %s failed on %s (try %d)", self.name, where, self._failures[key])
            await asyncio.sleep(min(0.2 * 2 ** self._failures[key], 5.0))
            return "retry"
        return await self._dead_letter_or_retry(record, exc)

    async def _dead_letter_or_retry(self, record: Any, exc: BaseException) -> str:
        try:
            await self._dead_letter(record, exc)
        except Exception as dlq_exc:
            log.warning("could not dead-letter, will retry: %r", dlq_exc)
            await asyncio.sleep(1.0)
            return "retry"
        return "dead_lettered"

    async def _dead_letter(self, record: Any, exc: BaseException) -> None:
        """Copy the record, byte for byte, to `<topic>.dlq` with what failed where."""
        failure = Failure(service=self._service, group=self.group_id, handler=self.name, error=exc)
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
        log.warning(
            "dead-lettered %s[%d]@%d: %s",
            record.topic,
            record.partition,
            record.offset,
            exc,
            extra={"handler": self.name, "consumer_group": self.group_id},
        )


async def _tolerant_parse(record: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream's parser UTF-8-decodes every header and would fail before our handler runs
    (silently skipping the record); parse a sanitised copy and keep the raw record for the DLQ.
    """
    safe = copy.copy(record)
    safe.headers = [(name, _text(value).encode()) for name, value in (record.headers or [])]
    message = await original(safe)
    message.raw_message = record
    return message


async def _raw_body(message: Any, _original: Callable[[Any], Awaitable[Any]]) -> Any:
    """Never JSON-decode in FastStream: the handler decodes (and dead-letters) itself."""
    return message.body


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)
