"""Outbox relay and idempotent consumer against real Postgres and a real Tansu broker."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import Column, Integer, MetaData, Table, Text, func, select, text
from sqlalchemy.dialects.postgresql import insert

from academy_runtime.consumer import PoisonMessage
from academy_runtime.db import transaction
from academy_runtime.dlq import DeadLetter
from academy_runtime.migrations import create_runtime_tables
from academy_runtime.routes import on
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from academy_runtime.uow import UnitOfWork, UnitsOfWork
from academy_testkit.waiting import until
from contracts import Envelope, encode, topics
from contracts.assessment import OperatorJurisdictionsSet
from contracts.mesh import Consumes

pytestmark = pytest.mark.integration


def _schema_with_applied(schema: str) -> tuple[MetaData, Table]:
    metadata = MetaData(schema=schema)
    applied = Table(
        "applied",
        metadata,
        Column("event_id", Text, primary_key=True),
        Column("times", Integer, nullable=False),
    )
    return metadata, applied


async def _create(runtime: ServiceRuntime) -> None:
    async with runtime.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {runtime.schema}"))
        await conn.run_sync(lambda c: create_runtime_tables(c, runtime.schema))
        await conn.run_sync(
            lambda c: runtime.metadata.tables[f"{runtime.schema}.applied"].create(c)
        )


def _event(operator: str, n: int) -> OperatorJurisdictionsSet:
    return OperatorJurisdictionsSet(
        operator_id=operator, jurisdictions=["MGA"], actor=f"test-{n}", set_at=datetime.now(UTC)
    )


@pytest.fixture
async def pair(make_settings) -> AsyncIterator[tuple[ServiceRuntime, ServiceRuntime, Table, str]]:  # type: ignore[no-untyped-def]
    suffix = uuid.uuid4().hex[:6]
    topic = f"test.events.{suffix}"
    producer_md, _ = _schema_with_applied(f"prod_{suffix}")
    consumer_md, applied = _schema_with_applied(f"cons_{suffix}")
    settings = make_settings(ServiceSettings)
    producer = ServiceRuntime(
        settings, schema=f"prod_{suffix}", metadata=producer_md, produces=[topic]
    )
    consumer = ServiceRuntime(settings, schema=f"cons_{suffix}", metadata=consumer_md)

    async def apply(envelope: Envelope[OperatorJurisdictionsSet], *, uow: UnitOfWork) -> None:
        if envelope.data.actor == "poison":
            raise PoisonMessage("actor 'poison' is refused by this handler")
        await uow.session.execute(
            insert(applied)
            .values(event_id=envelope.id, times=1)
            .on_conflict_do_update(
                index_elements=[applied.c.event_id], set_={"times": applied.c.times + 1}
            )
        )

    consumer.subscribe(
        Consumes("apply", (topic,), (OperatorJurisdictionsSet,)),
        UnitsOfWork(consumer, UnitOfWork),
        on(OperatorJurisdictionsSet, apply),
    )
    await _create(producer)
    await _create(consumer)
    await producer.start()
    await consumer.start()
    yield producer, consumer, applied, topic
    await consumer.stop()
    await producer.stop()


def _retopic(envelope: Envelope[Any], topic: str) -> tuple[bytes, list[tuple[str, bytes]]]:
    record = encode(envelope)
    return record.value, [(k, v.encode()) for k, v in record.headers.items()]


async def test_outbox_events_reach_the_consumer_once_each_in_key_order(pair) -> None:  # type: ignore[no-untyped-def]
    producer, consumer, applied, topic = pair
    events = [producer.envelope(_event("op-order", n), tenant="op-order") for n in range(30)]
    # Staged in one transaction with the (absent) state change; topic overridden for the test.
    async with transaction(producer.sessions) as session:
        await producer.emit(session, *events)
        await session.execute(text(f"UPDATE {producer.schema}.outbox SET topic = :t"), {"t": topic})

    async def all_applied() -> bool:
        async with consumer.sessions() as s:
            return (await s.scalar(select(func.count()).select_from(applied))) == 30

    await until(all_applied, "every event applied", within=45)
    async with consumer.sessions() as s:
        inbox_order = (
            (
                await s.execute(
                    text(f'SELECT event_id FROM {consumer.schema}.inbox ORDER BY "offset"')
                )
            )
            .scalars()
            .all()
        )
        assert list(inbox_order) == [e.id for e in events]
        assert await s.scalar(select(func.max(applied.c.times))) == 1
    async with producer.sessions() as s:
        unsent = await s.scalar(
            text(f"SELECT count(*) FROM {producer.schema}.outbox WHERE sent_at IS NULL")
        )
        assert unsent == 0


async def test_a_redelivered_event_is_applied_once(pair, kafka_bootstrap) -> None:  # type: ignore[no-untyped-def]
    producer, consumer, applied, topic = pair
    envelope = producer.envelope(_event("op-dup", 1), tenant="op-dup")
    value, headers = _retopic(envelope, topic)
    raw = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await raw.start()
    try:
        for _ in range(3):
            await raw.send_and_wait(topic, value, key=b"op-dup", headers=headers)
        marker = producer.envelope(_event("op-dup", 2), tenant="op-dup")
        mvalue, mheaders = _retopic(marker, topic)
        await raw.send_and_wait(topic, mvalue, key=b"op-dup", headers=mheaders)
    finally:
        await raw.stop()

    async def marker_applied() -> bool:
        async with consumer.sessions() as s:
            return (
                await s.scalar(select(applied.c.times).where(applied.c.event_id == marker.id)) == 1
            )

    await until(marker_applied, "the marker applied", within=45)
    async with consumer.sessions() as s:
        assert await s.scalar(select(applied.c.times).where(applied.c.event_id == envelope.id)) == 1


async def test_malformed_and_poison_messages_go_to_the_dlq_and_the_consumer_goes_on(  # type: ignore[no-untyped-def]
    pair, kafka_bootstrap
) -> None:
    producer, consumer, applied, topic = pair
    good = producer.envelope(_event("op-dlq", 1), tenant="op-dlq")
    poison = producer.envelope(
        OperatorJurisdictionsSet(
            operator_id="op-dlq", jurisdictions=["MGA"], actor="poison", set_at=datetime.now(UTC)
        ),
        tenant="op-dlq",
    )
    raw = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await raw.start()
    try:
        await raw.send_and_wait(topic, b"{not json", key=b"op-dlq", headers=[("ce_id", b"x")])
        _, bad_headers = _retopic(good, topic)
        await raw.send_and_wait(topic, b'{"operator_id": 5}', key=b"op-dlq", headers=bad_headers)
        pvalue, pheaders = _retopic(poison, topic)
        await raw.send_and_wait(topic, pvalue, key=b"op-dlq", headers=pheaders)
        # Shapes FastStream's own parser/decoder choke on before any handler runs.
        await raw.send_and_wait(topic, bytes(range(256)), key=b"op-dlq", headers=bad_headers)
        await raw.send_and_wait(
            topic, pvalue, key=b"op-dlq", headers=[*bad_headers, ("ce_source", b"\xff\xfe")]
        )
        gvalue, gheaders = _retopic(good, topic)
        await raw.send_and_wait(topic, gvalue, key=b"op-dlq", headers=gheaders)
    finally:
        await raw.stop()

    async def good_applied() -> bool:
        async with consumer.sessions() as s:
            return await s.scalar(select(applied.c.times).where(applied.c.event_id == good.id)) == 1

    await until(good_applied, "the good event applied", within=45)
    dlq = AIOKafkaConsumer(
        topics.dlq(topic),
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
    )
    await dlq.start()
    try:
        records = []
        deadline = asyncio.get_running_loop().time() + 20
        while len(records) < 5 and asyncio.get_running_loop().time() < deadline:
            batch = await dlq.getmany(timeout_ms=500)
            for recs in batch.values():
                records.extend(recs)
    finally:
        await dlq.stop()
    assert len(records) == 5
    errors = [dict(r.headers) for r in records]
    assert b"data invalid" in errors[3]["dlq-error"]
    assert errors[4]["dlq-error-type"] == b"EnvelopeError"
    assert records[3].value == bytes(range(256))
    assert b"missing CloudEvents headers" in errors[0]["dlq-error"]
    assert b"data invalid" in errors[1]["dlq-error"]
    assert errors[2]["dlq-error-type"] == b"PoisonMessage"
    assert all(e["dlq-original-topic"] == topic.encode() for e in errors)
    assert records[0].value == b"{not json"
    sent = [
        [("ce_id", b"x")],
        bad_headers,
        pheaders,
        bad_headers,
        [*bad_headers, ("ce_source", b"\xff\xfe")],
    ]
    group = consumer.consumers[0].group_id
    for record, headers in zip(records, sent, strict=True):
        letter = DeadLetter.from_record(record)
        # The original headers byte for byte: nothing added (no empty content-type), nothing
        # re-encoded (the non-UTF-8 header), so a replay is the record its producer sent.
        assert letter.original_headers() == headers
        assert (letter.service, letter.group, letter.handler) == ("service", group, "apply")


async def test_relay_recreates_a_topic_the_broker_lost(pair, kafka_bootstrap) -> None:  # type: ignore[no-untyped-def]
    from aiokafka.admin import AIOKafkaAdminClient

    producer, _, _, topic = pair
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([topic])
    finally:
        await admin.close()
    event = producer.envelope(_event("op-lost", 1), tenant="op-lost")
    async with transaction(producer.sessions) as session:
        await producer.emit(session, event)
        await session.execute(
            text(f"UPDATE {producer.schema}.outbox SET topic = :t WHERE event_id = :e"),
            {"t": topic, "e": event.id},
        )

    async def delivered() -> bool:
        async with producer.sessions() as s:
            sent = await s.scalar(
                text(
                    f"SELECT sent_at IS NOT NULL FROM {producer.schema}.outbox WHERE event_id = :e"
                ),
                {"e": event.id},
            )
            return bool(sent)

    await until(delivered, "the event delivered on the re-created topic")
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        assert topic in await admin.list_topics()
    finally:
        await admin.close()


async def test_retention_prunes_old_sent_outbox_rows_and_old_inbox_ids_only(pair) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from academy_runtime.retention import prune_once

    producer, _, _, _ = pair
    await producer.stop()  # no relay or background retention touching the rows under test
    ob = f"{producer.schema}.outbox"
    fresh, old, unsent = (producer.envelope(_event("op-ret", n), tenant="op-ret") for n in range(3))
    async with transaction(producer.sessions) as session:
        await producer.emit(session, fresh, old, unsent)
        await session.execute(text(f"UPDATE {producer.schema}.outbox SET topic = 'nowhere'"))
        await session.execute(
            text(f"UPDATE {producer.schema}.outbox SET sent_at = now() WHERE event_id = :e"),
            {"e": fresh.id},
        )
        await session.execute(
            text(f"UPDATE {ob} SET sent_at = now() - interval '9 days' WHERE event_id = :e"),
            {"e": old.id},
        )
        await session.execute(
            text(f"UPDATE {ob} SET created_at = now() - interval '90 days' WHERE event_id = :e"),
            {"e": unsent.id},
        )
        await session.execute(
            text(
                f"INSERT INTO {producer.schema}.inbox "
                '(handler, event_id, topic, partition, "offset", processed_at) VALUES '
                "('h', 'old', 't', 0, 1, now() - interval '40 days'), "
                "('h', 'new', 't', 0, 2, now())"
            )
        )
    removed = await prune_once(
        producer.sessions,
        outbox=producer.outbox,
        inbox=producer.inbox,
        outbox_keep=timedelta(days=7),
        inbox_keep=timedelta(days=30),
    )
    assert removed == (1, 1)
    async with producer.sessions() as s:
        left = set(
            (await s.execute(text(f"SELECT event_id FROM {producer.schema}.outbox"))).scalars()
        )
        assert left == {fresh.id, unsent.id}
        ids = set(
            (await s.execute(text(f"SELECT event_id FROM {producer.schema}.inbox"))).scalars()
        )
        assert ids == {"new"}
