"""Consumer lag read from the broker on a timer: end offset minus committed offset.

Measured apart from the consumers' own fetches, so a stalled handler, a backlog that was never
fetched, or a consumer that never joined its group still shows every record it has not done.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from prometheus_client import Gauge

from academy_runtime.loops import every
from academy_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)

#: Longest a tick waits for the fetch that tells each partition's high-water mark.
FETCH_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class LagTarget:
    """One idempotent consumer: the handler label, its consumer group and its topics."""

    handler: str
    group_id: str
    topics: tuple[str, ...]


def partition_lag(*, start: int, end: int, committed: int | None) -> int:
    """Records the group has yet to process in one partition.

    With no commit (or one below the log start, after retention) the group starts at the log
    start (our groups use auto_offset_reset=earliest), so everything in the log counts.
    """
    position = start if committed is None or committed < start else committed
    return max(0, end - position)


class OffsetSource(Protocol):
    """What the monitor asks the broker; `BrokerOffsets` is the real one."""

    async def partitions(self, topics: Sequence[str]) -> list[TopicPartition]: ...

    async def log_bounds(
        self, partitions: Sequence[TopicPartition]
    ) -> dict[TopicPartition, tuple[int, int]]: ...

    async def committed(
        self, group_id: str, partitions: Sequence[TopicPartition]
    ) -> dict[TopicPartition, int | None]: ...

    async def close(self) -> None: ...


class BrokerOffsets:
    """Log bounds and committed offsets from the broker, without joining any group."""

    def __init__(self, admin: AIOKafkaAdminClient, probe: AIOKafkaConsumer) -> None:
        self._admin = admin
        self._probe = probe

    @classmethod
    async def connect(cls, settings: ServiceSettings) -> "BrokerOffsets":
        common = {
            "bootstrap_servers": settings.kafka_bootstrap_servers,
            "request_timeout_ms": 10_000,
        }
        admin = AIOKafkaAdminClient(client_id=f"academy-{settings.service_name}-lag", **common)
        probe = AIOKafkaConsumer(
            client_id=f"academy-{settings.service_name}-lag-probe",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
            **common,
        )
        offsets = cls(admin, probe)
        try:
            await admin.start()
            await probe.start()
        except BaseException:
            await offsets.close()
            raise
        return offsets

    async def partitions(self, topics: Sequence[str]) -> list[TopicPartition]:
        result = []
        for topic in await self._admin.describe_topics(list(topics)):
            if topic["error_code"]:
                raise for_code(topic["error_code"])(f"topic {topic['topic']}")
            result += [TopicPartition(topic["topic"], p["partition"]) for p in topic["partitions"]]
        return sorted(result)

    async def log_bounds(
        self, partitions: Sequence[TopicPartition]
    ) -> dict[TopicPartition, tuple[int, int]]:
        starts = await self._probe.beginning_offsets(list(partitions))
        listed = await self._probe.end_offsets(list(partitions))
        fetched = await self._fetched_highwaters(
            {tp: listed[tp] for tp in partitions if listed[tp] > starts[tp]}
        )
        return {tp: (starts[tp], max(listed[tp], fetched.get(tp, 0))) for tp in partitions}

    async def _fetched_highwaters(
        self, listed: dict[TopicPartition, int]
    ) -> dict[TopicPartition, int]:
        """End offsets from the high-water mark of a fetch of each partition's last record.

        Tansu answers ListOffsets(latest) with the last batch's base + 1, short of the end when
        that batch holds several records; a fetch's high-water mark is right on Tansu and Kafka.
        A partition that returns no record in time (e.g. only control records) keeps its listed end.
        """
        probe = self._probe
        if set(probe.assignment()) != set(listed):
            probe.assign(list(listed))
        pending = set(listed)
        for tp, end in listed.items():
            probe.seek(tp, end - 1)  # inside the last batch: the fetch returns at least a record
        probe.resume(*pending)
        highwaters: dict[TopicPartition, int] = {}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FETCH_TIMEOUT_S
        try:
            while pending and (left := deadline - loop.time()) > 0:
                batches = await probe.getmany(*pending, timeout_ms=int(left * 1000))
                for tp in batches:
                    highwater = probe.highwater(tp)
                    if highwater is not None:
                        highwaters[tp] = highwater
                    pending.discard(tp)
                    probe.pause(tp)
        finally:
            probe.pause(*listed)
        return highwaters

    async def committed(
        self, group_id: str, partitions: Sequence[TopicPartition]
    ) -> dict[TopicPartition, int | None]:
        # partitions= is required: without it Tansu drops the connection.
        offsets = await self._admin.list_consumer_group_offsets(
            group_id, partitions=list(partitions)
        )
        result: dict[TopicPartition, int | None] = {}
        for tp in partitions:
            meta = offsets.get(tp)
            result[tp] = meta.offset if meta is not None and meta.offset >= 0 else None
        return result

    async def close(self) -> None:
        for shutdown in (self._probe.stop, self._admin.close):
            with contextlib.suppress(Exception):
                await shutdown()


class LagMonitor:
    """Sets `academy_consumer_lag{handler}` (sum over the handler's partitions) every tick."""

    def __init__(
        self,
        targets: Iterable[LagTarget],
        *,
        gauge: Gauge,
        interval_s: float,
        connect: Callable[[], Awaitable[OffsetSource]],
    ) -> None:
        self.targets = list(targets)
        self._gauge = gauge
        self._interval_s = interval_s
        self._connect = connect
        self._offsets: OffsetSource | None = None
        self._failing = False

    async def run(self, stop: asyncio.Event) -> None:
        """Measure every `interval_s` until `stop` is set; never raises on broker errors."""
        try:
            await every(stop, self._interval_s, self.tick, name="consumer lag measurement")
        finally:
            await self._disconnect()

    async def tick(self) -> None:
        """One measurement; a failure is logged once per outage and the gauges keep their values."""
        try:
            if self._offsets is None:
                self._offsets = await self._connect()
            lags = await self.measure(self._offsets)
        except Exception as exc:
            if not self._failing:
                log.warning(
                    "consumer lag not measured, retrying every %.1fs: %r", self._interval_s, exc
                )
            self._failing = True
            await self._disconnect()
            return
        if self._failing:
            log.info("consumer lag measured again")
        self._failing = False
        for handler, lag in lags.items():
            self._gauge.labels(handler).set(lag)

    async def measure(self, offsets: OffsetSource) -> dict[str, int]:
        """Lag per handler: end offset minus committed offset, summed over its partitions."""
        topics = sorted({topic for target in self.targets for topic in target.topics})
        partitions = await offsets.partitions(topics)
        bounds = await offsets.log_bounds(partitions)
        lags = {}
        for target in self.targets:
            mine = [tp for tp in partitions if tp.topic in target.topics]
            committed = await offsets.committed(target.group_id, mine)
            lags[target.handler] = sum(
                partition_lag(start=bounds[tp][0], end=bounds[tp][1], committed=committed[tp])
                for tp in mine
            )
        return lags

    async def _disconnect(self) -> None:
        offsets, self._offsets = self._offsets, None
        if offsets is not None:
            await offsets.close()
