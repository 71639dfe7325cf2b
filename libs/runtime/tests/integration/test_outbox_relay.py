"""The outbox relay against real Postgres and a real Tansu broker: what reaches Kafka, what stays
pending, and what its metrics say."""

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import MetaData, text

from academy_runtime.db import transaction
from academy_runtime.dlq import read_all
from academy_runtime.migrations import create_runtime_tables
from academy_runtime.outbox import wire_headers
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from contracts import decode
from contracts.assessment import OperatorJurisdictionsSet

pytestmark = pytest.mark.integration

MakeRelay = Callable[..., Any]


@pytest.fixture
async def make_runtime(make_settings) -> AsyncIterator[MakeRelay]:  # type: ignore[no-untyped-def]
    """A runtime on a fresh schema whose outbox rows go to a fresh topic; not started, so the
    test drives `relay.relay_once` itself."""
    made: list[ServiceRuntime] = []

    async def build(**overrides: Any) -> tuple[ServiceRuntime, str]:
        suffix = uuid.uuid4().hex[:6]
        schema, topic = f"relay_{suffix}", f"test.relay.{suffix}"
        runtime = ServiceRuntime(
            make_settings(ServiceSettings, **overrides),
            schema=schema,
            metadata=MetaData(schema=schema),
            produces=[topic],
        )
        made.append(runtime)
        async with runtime.engine.begin() as conn:
            await conn.execute(text(f"CREATE SCHEMA {schema}"))
            await conn.run_sync(lambda c: create_runtime_tables(c, schema))
        return runtime, topic

    yield build
    for runtime in made:
        await runtime.stop()


async def _stage(runtime: ServiceRuntime, topic: str, *keys: str) -> list[str]:
    """One event per key, in order, on `topic`; returns their event ids."""
    events = [
        runtime.envelope(
            OperatorJurisdictionsSet(
                operator_id=key, jurisdictions=["MGA"], actor=f"t-{n}", set_at=datetime.now(UTC)
            ),
            tenant=key,
        )
        for n, key in enumerate(keys)
    ]
    async with transaction(runtime.sessions) as session:
        await runtime.emit(session, *events)
        await session.execute(text(f"UPDATE {runtime.schema}.outbox SET topic = :t"), {"t": topic})
    return [e.id for e in events]


async def _unsent(runtime: ServiceRuntime) -> list[str]:
    async with runtime.sessions() as s:
        rows = await s.execute(
            text(f"SELECT event_id FROM {runtime.schema}.outbox WHERE sent_at IS NULL ORDER BY id")
        )
        return list(rows.scalars())


def _metric(runtime: ServiceRuntime, name: str) -> float | None:
    return runtime.registry.get_sample_value(name)


async def test_a_relayed_record_has_the_rows_key_value_and_headers_byte_for_byte(
    make_runtime, kafka_bootstrap
) -> None:  # type: ignore[no-untyped-def]
    runtime, topic = await make_runtime()
    await runtime.ensure_topics()
    [event_id] = await _stage(runtime, topic, "op-wire")
    async with runtime.sessions() as s:
        row = (
            await s.execute(text(f"SELECT key, headers, payload FROM {runtime.schema}.outbox"))
        ).one()

    assert await runtime.relay.relay_once() == 1

    [record] = await read_all(kafka_bootstrap, [topic])
    assert record.key == row.key.encode() == b"op-wire"
    assert record.value == row.payload
    assert list(record.headers) == wire_headers(row.headers)
    assert record.headers[0] == ("content-type", b"application/json")
    assert decode(record.headers, record.value).id == event_id
    assert _metric(runtime, "academy_outbox_published_total") == 1
    assert _metric(runtime, "academy_outbox_pending") == 0


async def test_a_record_kafka_refuses_holds_back_its_key_while_other_keys_are_sent(
    make_runtime, kafka_bootstrap
) -> None:  # type: ignore[no-untyped-def]
    runtime, topic = await make_runtime()
    await runtime.ensure_topics()
    ids = await _stage(runtime, topic, "op-a", "op-a", "op-a", "op-b")
    async with transaction(runtime.sessions) as session:  # larger than a producer request
        await session.execute(
            text(f"UPDATE {runtime.schema}.outbox SET payload = :p WHERE event_id = :e"),
            {"p": b"x" * 2 * 2**20, "e": ids[1]},
        )

    with pytest.raises(RuntimeError, match="2 outbox events not acknowledged"):
        await runtime.relay.relay_once()

    assert await _unsent(runtime) == ids[1:3]
    sent = [decode(r.headers, r.value).id for r in await read_all(kafka_bootstrap, [topic])]
    assert sorted(sent) == sorted([ids[0], ids[3]])  # the held-back third row never left
    async with runtime.sessions() as s:
        attempts = await s.scalar(text(f"SELECT max(attempts) FROM {runtime.schema}.outbox"))
    assert attempts == 1
    assert _metric(runtime, "academy_outbox_published_total") == 2
    assert _metric(runtime, "academy_outbox_publish_failures_total") == 2
    assert _metric(runtime, "academy_outbox_pending") == 2


async def test_rows_stay_pending_and_counted_while_the_broker_is_unreachable(
    make_runtime,
) -> None:  # type: ignore[no-untyped-def]
    runtime, topic = await make_runtime(kafka_bootstrap_servers="127.0.0.1:1")
    ids = await _stage(runtime, topic, "op-x", "op-y", "op-x")

    with pytest.raises(RuntimeError, match="3 outbox events not acknowledged"):
        await runtime.relay.relay_once()

    assert await _unsent(runtime) == ids
    assert _metric(runtime, "academy_outbox_published_total") == 0
    assert _metric(runtime, "academy_outbox_publish_failures_total") == 3
    assert _metric(runtime, "academy_outbox_pending") == 3


async def test_the_pending_gauge_follows_the_backlog_batch_by_batch(make_runtime) -> None:  # type: ignore[no-untyped-def]
    runtime, topic = await make_runtime(outbox_batch_size=5)
    await runtime.ensure_topics()
    await _stage(runtime, topic, *(f"op-{n % 3}" for n in range(12)))

    pending = []
    while await runtime.relay.relay_once():
        pending.append(_metric(runtime, "academy_outbox_pending"))

    assert pending == [7, 2, 0]
    assert await _unsent(runtime) == []
    assert _metric(runtime, "academy_outbox_published_total") == 12
    # A burst right after the backlog emptied is counted, not subtracted from zero.
    await _stage(runtime, topic, *(f"op-{n % 3}" for n in range(7)))
    assert await runtime.relay.relay_once() == 5
    assert _metric(runtime, "academy_outbox_pending") == 2
