"""The batch consumer against real Postgres: one transaction per batch, failures isolated.

Batches are handed to the consumer directly (as FastStream's batch subscriber would), so each
test controls exactly which records share a batch; test_outbox_consumer covers the broker.
"""

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import TopicPartition
from sqlalchemy import Column, Integer, MetaData, Table, Text, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime.consumer import IdempotentConsumer, PoisonMessage
from academy_runtime.migrations import create_runtime_tables
from academy_runtime.routes import on
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from academy_runtime.uow import UnitOfWork, UnitsOfWork
from contracts import Envelope, encode, topics
from contracts.assessment import CertificationIssued, OperatorJurisdictionsSet
from contracts.mesh import Consumes

pytestmark = pytest.mark.integration


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass
class DeadLetters:
    sent: list[tuple[str, bytes]] = field(default_factory=list)

    async def send(self, topic: str, *, key: bytes, value: bytes, headers: Any) -> None:
        self.sent.append((topic, value))

    async def stop(self) -> None:
        return None


class CountingSessions:
    """The runtime's sessionmaker, counting the sessions opened."""

    def __init__(self, sessions: Callable[[], AsyncSession]) -> None:
        self._sessions = sessions
        self.opened = 0

    def __call__(self) -> AsyncSession:
        self.opened += 1
        return self._sessions()


@dataclass
class Harness:
    runtime: ServiceRuntime
    consumer: IdempotentConsumer[UnitOfWork]
    sessions: CountingSessions
    dead_letters: DeadLetters
    applied: Table
    down: dict[str, int]

    async def applied_actors(self) -> list[str]:
        async with self.runtime.sessions() as s:
            rows = await s.execute(select(self.applied.c.actor).order_by(self.applied.c.seq))
            return list(rows.scalars())

    async def inbox_rows(self) -> int:
        async with self.runtime.sessions() as s:
            count = await s.scalar(text(f"SELECT count(*) FROM {self.runtime.schema}.inbox"))
            return int(count or 0)

    def outcomes(self, outcome: str) -> float:
        value = self.runtime.registry.get_sample_value(
            "academy_consumer_messages_total", {"handler": "apply", "outcome": outcome}
        )
        return value or 0.0


@pytest.fixture
async def harness(make_settings: Callable[..., ServiceSettings]) -> AsyncIterator[Harness]:
    schema = f"batch_{uuid.uuid4().hex[:6]}"
    metadata = MetaData(schema=schema)
    applied = Table(
        "applied",
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("event_id", Text, nullable=False),
        Column("actor", Text, nullable=False),
    )
    runtime = ServiceRuntime(
        make_settings(ServiceSettings, consumer_max_retries=1), schema=schema, metadata=metadata
    )
    down = {"failures": 0}

    async def apply(event: Envelope[OperatorJurisdictionsSet], *, uow: UnitOfWork) -> None:
        if event.data.actor.startswith("poison"):
            raise PoisonMessage("refused")
        if down["failures"]:
            down["failures"] -= 1
            raise ConnectionRefusedError("database went away")
        await uow.session.execute(
            applied.insert().values(event_id=event.id, actor=event.data.actor)
        )

    runtime.subscribe(
        Consumes("apply", (topics.ASSESSMENT,), (OperatorJurisdictionsSet,)),
        UnitsOfWork(runtime, UnitOfWork),
        on(OperatorJurisdictionsSet, apply),
    )
    consumer = runtime.consumers[0]
    sessions = CountingSessions(runtime.sessions)
    dead_letters = DeadLetters()
    consumer.applier._sessions = sessions  # type: ignore[assignment]
    consumer.applier._dead_letters = dead_letters  # type: ignore[assignment]
    async with runtime.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
        await conn.run_sync(lambda c: create_runtime_tables(c, schema))
        await conn.run_sync(lambda c: applied.create(c))
    yield Harness(runtime, consumer, sessions, dead_letters, applied, down)
    await runtime.engine.dispose()


def _records(*events: tuple[str, Any], partition: int = 0, start: int = 0) -> list[Record]:
    """Records in one partition, each (operator, data) at the next offset."""
    out = []
    for n, (operator, data) in enumerate(events):
        record = encode(Envelope(data=data, tenantid=operator, source="/test"))
        headers = [(k, v.encode()) for k, v in record.headers.items()]
        out.append(
            Record(
                topics.ASSESSMENT, partition, start + n, operator.encode(), record.value, headers
            )
        )
    return out


def _set(operator: str, actor: str) -> tuple[str, OperatorJurisdictionsSet]:
    return operator, OperatorJurisdictionsSet(
        operator_id=operator, jurisdictions=["MGA"], actor=actor, set_at=datetime.now(UTC)
    )


def _issued(operator: str) -> tuple[str, CertificationIssued]:
    now = datetime.now(UTC)
    return operator, CertificationIssued(
        certificate_id=f"cert-{uuid.uuid4().hex[:8]}",
        staff_id="s-1",
        staff_name="S",
        role="compliance_officer",
        jurisdiction="MGA",
        track_version="v",
        attempt_id="a",
        passed_at=now,
        expires_at=now,
        verification_code="AAAA-BBBB-CCCC",
    )


@dataclass
class Message:
    """What FastStream hands the batch handler: the records, acking and seeking."""

    raw_message: list[Record]
    acked: int = 0
    seeks: dict[TopicPartition, int] = field(default_factory=dict)

    @property
    def consumer(self) -> "Message":
        return self

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.seeks[partition] = offset

    async def ack(self) -> None:
        self.acked += 1


async def test_a_batch_is_applied_in_one_transaction_in_offset_order_per_key(
    harness: Harness,
) -> None:
    batch = _records(*(_set("op-a" if n % 2 else "op-b", f"actor-{n}") for n in range(40)))

    await harness.consumer._consume(Message(batch))  # type: ignore[arg-type]

    assert await harness.applied_actors() == [f"actor-{n}" for n in range(40)]
    assert harness.sessions.opened == 1
    assert await harness.inbox_rows() == 40


async def test_a_poison_record_in_a_batch_is_dead_lettered_alone_and_the_rest_applied(
    harness: Harness,
) -> None:
    events = [_set("op-p", f"actor-{n}") for n in range(10)]
    events[6] = _set("op-p", "poison")
    batch = _records(*events)
    message = Message(batch)

    await harness.consumer._consume(message)  # type: ignore[arg-type]

    assert harness.dead_letters.sent == [(topics.dlq(topics.ASSESSMENT), batch[6].value)]
    assert await harness.applied_actors() == [f"actor-{n}" for n in range(10) if n != 6]
    assert harness.sessions.opened == 2  # the batch, then the batch without the poison
    assert message.acked == 1
    assert harness.outcomes("dead_lettered") == 1
    assert harness.outcomes("processed") == 9


async def test_a_batch_whose_transaction_fails_transiently_is_retried_and_applied_once(
    harness: Harness,
) -> None:
    batch = _records(*(_set("op-t", f"actor-{n}") for n in range(5)), partition=2, start=70)
    harness.down["failures"] = 1
    first = Message(batch)

    await harness.consumer._consume(first)  # type: ignore[arg-type]

    assert first.acked == 0
    assert first.seeks == {TopicPartition(topics.ASSESSMENT, 2): 70}
    assert await harness.applied_actors() == []
    assert harness.dead_letters.sent == []
    redelivered = Message(batch)
    await harness.consumer._consume(redelivered)  # type: ignore[arg-type]
    assert redelivered.acked == 1
    assert await harness.applied_actors() == [f"actor-{n}" for n in range(5)]
    assert harness.outcomes("retry") == 5


async def test_types_a_consumer_does_not_handle_are_skipped_without_a_transaction(
    harness: Harness,
) -> None:
    batch = _records(*(_issued("op-s") for _ in range(6)))
    batch[2].value = b"not even json"  # never read: the ce_type header decides
    message = Message(batch)

    await harness.consumer._consume(message)  # type: ignore[arg-type]

    assert message.acked == 1
    assert harness.sessions.opened == 0
    assert await harness.inbox_rows() == 0
    assert harness.dead_letters.sent == []
    assert harness.outcomes("skipped") == 6


async def test_a_redelivered_committed_batch_is_a_duplicate(harness: Harness) -> None:
    batch = _records(*(_set("op-r", f"actor-{n}") for n in range(8)))
    await harness.consumer._consume(Message(batch))  # type: ignore[arg-type]

    again = Message(batch)
    await harness.consumer._consume(again)  # type: ignore[arg-type]

    assert again.acked == 1
    assert await harness.applied_actors() == [f"actor-{n}" for n in range(8)]
    assert harness.outcomes("duplicate") == 8
    async with harness.runtime.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(harness.applied)) == 8


async def test_an_unexpected_error_is_isolated_by_halving_the_batch(harness: Harness) -> None:
    events = [_set("op-u", f"actor-{n}") for n in range(8)]
    events[5] = _set("op-u", "boom")

    async def explode(event: Envelope[OperatorJurisdictionsSet], *, uow: UnitOfWork) -> None:
        if event.data.actor == "boom":
            raise RuntimeError("a bug")
        await uow.session.execute(
            harness.applied.insert().values(event_id=event.id, actor=event.data.actor)
        )

    harness.consumer.routes._by_type[OperatorJurisdictionsSet.ce_type] = on(
        OperatorJurisdictionsSet, explode
    )
    batch = _records(*events)
    await harness.consumer._consume(Message(batch))  # type: ignore[arg-type]

    assert harness.dead_letters.sent == [(topics.dlq(topics.ASSESSMENT), batch[5].value)]
    assert await harness.applied_actors() == [f"actor-{n}" for n in range(8) if n != 5]
