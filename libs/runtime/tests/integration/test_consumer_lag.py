"""Consumer lag from the broker (end minus committed offset) against real Tansu and Postgres."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from prometheus_client import generate_latest
from sqlalchemy import MetaData, text

from academy_runtime.lag import BrokerOffsets
from academy_runtime.migrations import create_runtime_tables
from academy_runtime.routes import on
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from academy_runtime.uow import UnitOfWork, UnitsOfWork
from academy_testkit.waiting import until
from contracts import Envelope, encode
from contracts.assessment import OperatorJurisdictionsSet
from contracts.mesh import Consumes

pytestmark = pytest.mark.integration

HANDLER = "stall"


@dataclass
class Stalled:
    runtime: ServiceRuntime
    topic: str
    entered: asyncio.Event
    release: asyncio.Event
    handled: list[str]

    def lag(self) -> float | None:
        return self.runtime.registry.get_sample_value("academy_consumer_lag", {"handler": HANDLER})


@pytest.fixture
async def stalled(make_settings) -> AsyncIterator[Stalled]:  # type: ignore[no-untyped-def]
    """A service whose only handler blocks on an event until the test releases it."""
    suffix = uuid.uuid4().hex[:6]
    schema = f"lag_{suffix}"
    settings = make_settings(ServiceSettings, consumer_lag_interval_s=0.2)
    runtime = ServiceRuntime(settings, schema=schema, metadata=MetaData(schema=schema))
    entered, release = asyncio.Event(), asyncio.Event()
    handled: list[str] = []

    async def handle(envelope: Envelope[OperatorJurisdictionsSet], *, uow: UnitOfWork) -> None:
        entered.set()
        await release.wait()
        handled.append(envelope.id)

    runtime.subscribe(
        Consumes(HANDLER, (f"test.lag.{suffix}",), (OperatorJurisdictionsSet,)),
        UnitsOfWork(runtime, UnitOfWork),
        on(OperatorJurisdictionsSet, handle),
    )
    async with runtime.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        await conn.run_sync(lambda c: create_runtime_tables(c, schema))
    await runtime.start()
    try:
        yield Stalled(runtime, f"test.lag.{suffix}", entered, release, handled)
    finally:
        release.set()
        await runtime.stop()


async def _produce_batches(bootstrap: str, topic: str, counts: dict[int, int]) -> None:
    """`counts[p]` events into partition p, each partition's records in one batch."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=200)
    await producer.start()
    try:
        sent = []
        for partition, count in counts.items():
            for n in range(count):
                event = OperatorJurisdictionsSet(
                    operator_id=f"op-{partition}",
                    jurisdictions=["MGA"],
                    actor=f"lag-{n}",
                    set_at=datetime.now(UTC),
                )
                record = encode(
                    Envelope(data=event, tenantid=f"op-{partition}", source="/academy/test")
                )
                headers = [(k, v.encode()) for k, v in record.headers.items()]
                sent.append(
                    await producer.send(topic, record.value, partition=partition, headers=headers)
                )
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def test_lag_counts_a_stalled_backlog_and_returns_to_zero_once_released(
    stalled: Stalled, kafka_bootstrap: str
) -> None:
    await until(lambda: stalled.runtime.broker_started, "broker connected")
    await _produce_batches(kafka_bootstrap, stalled.topic, {0: 30, 1: 10})
    await asyncio.wait_for(stalled.entered.wait(), timeout=45)

    await until(lambda: stalled.lag() == 40, "lag of the 40 waiting records")
    assert stalled.handled == []  # measured while the handler was still stalled

    stalled.release.set()
    await until(lambda: stalled.lag() == 0, "lag back to 0")
    assert len(stalled.handled) == 40


async def test_lag_series_exists_at_zero_before_anything_is_consumed(stalled: Stalled) -> None:
    assert stalled.lag() == 0
    assert (
        f'academy_consumer_lag{{handler="{HANDLER}"}} 0.0'
        in generate_latest(stalled.runtime.registry).decode()
    )
    await until(
        lambda: any(t.get_name().endswith(":consumer-lag") for t in asyncio.all_tasks()),
        "lag monitor running",
    )
    assert stalled.lag() == 0


async def test_lag_monitor_stops_with_the_service(stalled: Stalled) -> None:
    def monitors() -> list[asyncio.Task[Any]]:
        return [t for t in asyncio.all_tasks() if t.get_name().endswith(":consumer-lag")]

    await until(lambda: bool(monitors()), "lag monitor running")
    await stalled.runtime.stop(drain_s=5)
    assert monitors() == []


async def test_log_end_is_right_for_a_batch_of_several_records(
    make_settings: Callable[..., ServiceSettings], kafka_bootstrap: str
) -> None:
    topic = f"test.lag-end.{uuid.uuid4().hex[:6]}"
    await _produce_batches(kafka_bootstrap, topic, {0: 25, 1: 1})
    offsets = await BrokerOffsets.connect(make_settings(ServiceSettings))
    try:
        partitions = await offsets.partitions([topic])
        bounds = await offsets.log_bounds(partitions)
        committed = await offsets.committed(f"nobody-{uuid.uuid4().hex[:6]}", partitions)
    finally:
        await offsets.close()
    assert bounds[TopicPartition(topic, 0)] == (0, 25)
    assert bounds[TopicPartition(topic, 1)] == (0, 1)
    assert all(bounds[tp] == (0, 0) for tp in partitions if tp.partition > 1)
    assert set(committed.values()) == {None}
