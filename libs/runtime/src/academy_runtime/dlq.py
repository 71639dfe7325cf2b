"""Dead letters: what a dead-letter record carries, and the Kafka plumbing to write, read and
replay them with their bytes intact.

A dead-letter record is the failed record unchanged (key, value and every original header,
byte for byte, in order) followed by `dlq-*` headers that say what failed where. Replaying it
puts back exactly the original headers, so the copy is the record the producer sent.
FastStream's publish would add `content-type` and `correlation_id` headers of its own, so dead
letters and replays go through a plain aiokafka producer.
"""

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import RecordMetadata

from contracts import topics

RawHeaders = list[tuple[str, bytes]]

PREFIX: Final = "dlq-"
ERROR: Final = "dlq-error"
ERROR_TYPE: Final = "dlq-error-type"
ORIGINAL_TOPIC: Final = "dlq-original-topic"
ORIGINAL_PARTITION: Final = "dlq-original-partition"
ORIGINAL_OFFSET: Final = "dlq-original-offset"
#: How many of the record's headers, from the first, are the original record's.
ORIGINAL_HEADERS: Final = "dlq-original-headers"
SERVICE: Final = "dlq-service"
GROUP: Final = "dlq-consumer-group"
HANDLER: Final = "dlq-handler"
FAILED_AT: Final = "dlq-failed-at"

MAX_ERROR_TEXT: Final = 2000


@dataclass(frozen=True, slots=True)
class Failure:
    """Where a record failed: which service, consumer group and handler, and why."""

    service: str
    group: str
    handler: str
    error: BaseException


def dead_letter_headers(
    original: Iterable[tuple[str, Any]],
    *,
    topic: str,
    partition: int,
    offset: int,
    failure: Failure,
    failed_at: datetime | None = None,
) -> RawHeaders:
    """The original headers unchanged, then the `dlq-*` headers describing `failure`."""
    kept = [(name, _raw(value)) for name, value in original]
    exc = failure.error
    when = (failed_at or datetime.now(UTC)).astimezone(UTC).isoformat().replace("+00:00", "Z")
    added = {
        ERROR: str(exc)[:MAX_ERROR_TEXT] or exc.__class__.__name__,
        ERROR_TYPE: exc.__class__.__name__,
        ORIGINAL_TOPIC: topic,
        ORIGINAL_PARTITION: str(partition),
        ORIGINAL_OFFSET: str(offset),
        ORIGINAL_HEADERS: str(len(kept)),
        SERVICE: failure.service,
        GROUP: failure.group,
        HANDLER: failure.handler,
        FAILED_AT: when,
    }
    return kept + [(name, value.encode()) for name, value in added.items()]


def _raw(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return str(value).encode()


def _text(value: bytes) -> str:
    return value.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One record of a dead-letter topic."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    @classmethod
    def from_record(cls, record: Any) -> "DeadLetter":
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            timestamp_ms=record.timestamp,
            key=record.key,
            value=record.value,
            headers=tuple((name, _raw(value)) for name, value in (record.headers or ())),
        )

    @property
    def ref(self) -> str:
        """`topic/partition/offset`: how the CLI names one dead letter."""
        return f"{self.topic}/{self.partition}/{self.offset}"

    @property
    def meta(self) -> dict[str, str]:
        """The `dlq-*` headers as text."""
        added = self.headers[self._original_count() :]
        return {name: _text(value) for name, value in added if name.startswith(PREFIX)}

    def _original_count(self) -> int:
        for name, value in reversed(self.headers):
            if name == ORIGINAL_HEADERS and value.isdigit():
                return min(int(value), len(self.headers))
        # Written before the count was recorded: every header that is not `dlq-*`, less the
        # empty content-type the old publisher added.
        return -1

    def original_headers(self) -> RawHeaders:
        """The failed record's headers exactly as its producer sent them."""
        count = self._original_count()
        if count >= 0:
            return list(self.headers[:count])
        return [
            (name, value)
            for name, value in self.headers
            if not name.startswith(PREFIX) and not (name == "content-type" and value == b"")
        ]

    def original_header(self, name: str) -> str | None:
        for header, value in self.original_headers():
            if header == name:
                return _text(value)
        return None

    @property
    def original_topic(self) -> str:
        return self.meta.get(ORIGINAL_TOPIC) or topics.original(self.topic)

    @property
    def original_position(self) -> tuple[int, int] | None:
        partition, offset = self.meta.get(ORIGINAL_PARTITION), self.meta.get(ORIGINAL_OFFSET)
        if partition and offset and partition.isdigit() and offset.isdigit():
            return int(partition), int(offset)
        return None

    @property
    def error_type(self) -> str:
        return self.meta.get(ERROR_TYPE, "unknown")

    @property
    def error(self) -> str:
        return self.meta.get(ERROR, "")

    @property
    def group(self) -> str | None:
        """The consumer group that dead-lettered it (older records do not say)."""
        return self.meta.get(GROUP)

    @property
    def handler(self) -> str:
        return self.meta.get(HANDLER, "unknown")

    @property
    def service(self) -> str:
        """The service that dead-lettered it (older records name only the handler)."""
        return self.meta.get(SERVICE, "unknown")

    @property
    def failed_at(self) -> str:
        return self.meta.get(FAILED_AT, "")

    @property
    def identity(self) -> tuple[str, int, int] | tuple[str, str, int, int]:
        """The original record this is a copy of: several consumer groups dead-letter the same
        record once each, and a replay puts it back once."""
        position = self.original_position
        if position is None:
            return (self.topic, "dead-letter", self.partition, self.offset)
        return (self.original_topic, *position)


class ExactProducer:
    """Publishes records with exactly the given key, value and headers (acks from all
    in-sync replicas), started on first use: dead letters, and the outbox relay's batches
    (`max_batch_size`: a batch of rows per partition in one request)."""

    def __init__(
        self, bootstrap_servers: str, *, client_id: str, max_batch_size: int | None = None
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._client_id = client_id
        self._tuning = {} if max_batch_size is None else {"max_batch_size": max_batch_size}
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def send(
        self,
        topic: str,
        *,
        key: bytes | None,
        value: bytes | None,
        headers: Sequence[tuple[str, bytes]],
    ) -> RecordMetadata:
        producer = await self.started()
        future = await producer.send(topic, value=value, key=key, headers=list(headers))
        return await future

    async def started(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self._bootstrap,
                    client_id=self._client_id,
                    acks="all",
                    enable_idempotence=False,  # outbox + idempotent consumers instead of EOS
                    request_timeout_ms=15_000,
                    **self._tuning,
                )
                try:
                    await producer.start()
                except BaseException:
                    with contextlib.suppress(Exception):
                        await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def stop(self) -> None:
        async with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await producer.stop()


class ReadError(RuntimeError):
    """A topic could not be read to its end in time."""


async def read_all(
    bootstrap_servers: str,
    names: Iterable[str] | Callable[[set[str]], Iterable[str]],
    *,
    timeout_s: float = 30.0,
) -> list[Any]:
    """Every record of the topics, from the beginning to the end as of now, without joining a
    consumer group (nothing is committed). Missing topics are skipped. `names` may choose from
    the cluster's topic names, so listing and reading take one connection."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        request_timeout_ms=15_000,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        existing = set(await consumer.topics())
        chosen = sorted(set(names(existing) if callable(names) else names))
        partitions = [
            TopicPartition(name, partition)
            for name in chosen
            if name in existing
            for partition in sorted(consumer.partitions_for_topic(name) or ())
        ]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not await _at_end(consumer, partitions):
            if loop.time() > deadline:
                raise ReadError(f"could not read {', '.join(chosen)} in {timeout_s}s")
            batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
            for batch in batches.values():
                records += batch
        return sorted(records, key=lambda r: (r.topic, r.partition, r.offset))
    finally:
        await consumer.stop()


async def _at_end(consumer: AIOKafkaConsumer, partitions: Sequence[TopicPartition]) -> bool:
    """Each partition read up to the high-water mark its last fetch reported (the broker's
    own end offsets are unreliable on some Kafka-compatible brokers)."""
    for tp in partitions:
        highwater = consumer.highwater(tp)
        if highwater is None or await consumer.position(tp) < highwater:
            return False
    return True


def by_topic(letters: Iterable[DeadLetter]) -> Mapping[str, list[DeadLetter]]:
    grouped: dict[str, list[DeadLetter]] = {}
    for letter in letters:
        grouped.setdefault(letter.topic, []).append(letter)
    return grouped
