"""Outbox relay publish rate: rows in an outbox table until Kafka acknowledged them all.

Ours: the runtime's `OutboxRelay` as every service wires it (a `ServiceRuntime` on its own
schema, its relay producer sending each batch and awaiting the acks together), relaying
EVENTS freshly inserted rows batch after batch until none is left unsent (insertion not timed).
Baseline: a raw aiokafka producer (acks=all) sending the same messages, all acks awaited.
Rounds of both interleave on one fresh Tansu; medians are compared.

`uv run python -m bench relay`; BENCH_RELAY_EVENTS (20000) scales it.
"""

import asyncio
import os
import statistics
import subprocess
import time
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import MetaData, text

from academy_runtime.outbox import add_events
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from academy_testkit import tansu
from academy_testkit.ports import free_port
from bench.common import database, write_result
from contracts import Envelope, encode
from contracts.assessment import LessonCompleted

EVENTS = int(os.environ.get("BENCH_RELAY_EVENTS", "20000"))
ROUNDS = 3
SCHEMA = "bench_relay"
TARGET_RATIO = 0.25


def _events(count: int, tag: str) -> list[Envelope[Any]]:
    when = datetime.now(UTC)
    data = LessonCompleted(
        staff_id="staff-1", jurisdiction="MGA", role="compliance_officer",
        track_version="mga-2031.1", module_id="core-aml", lesson_id="core-aml-1",
        completed_at=when,
    )  # fmt: skip
    return [
        Envelope(data=data, tenantid=f"op-{tag}-{n % 20:02d}", source="/bench")
        for n in range(count)
    ]


async def _fill(runtime: ServiceRuntime, events: list[Envelope[Any]]) -> None:
    for start in range(0, len(events), 1000):
        async with runtime.sessions() as session, session.begin():
            await add_events(session, runtime.outbox, *events[start : start + 1000])


async def _relay_round(runtime: ServiceRuntime, events: list[Envelope[Any]]) -> float:
    """Seconds for the relay to publish every row it holds (all of `events`)."""
    await _fill(runtime, events)
    started = time.perf_counter()
    sent = 0
    while batch := await runtime.relay.relay_once():
        sent += batch
    took = time.perf_counter() - started
    if sent != len(events):
        raise RuntimeError(f"relay sent {sent} of {len(events)}")
    return took


async def _raw_round(producer: AIOKafkaProducer, events: list[Envelope[Any]]) -> float:
    records = [encode(e) for e in events]
    started = time.perf_counter()
    acks = [
        await producer.send(
            r.topic, r.value, key=r.key, headers=[(k, v.encode()) for k, v in r.headers.items()]
        )
        for r in records
    ]
    await asyncio.gather(*acks)
    return time.perf_counter() - started


async def _measure(url: str, bootstrap: str) -> dict[str, list[float]]:
    settings = ServiceSettings(
        environment="test", database_url=url, kafka_bootstrap_servers=bootstrap
    )
    topic = encode(_events(1, "probe")[0]).topic
    runtime = ServiceRuntime(
        settings, schema=SCHEMA, metadata=MetaData(schema=SCHEMA), produces=[topic]
    )
    async with runtime.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        await conn.run_sync(runtime.metadata.create_all)
    await runtime.ensure_topics()
    await runtime.broker.start()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    seconds: dict[str, list[float]] = {"relay": [], "raw": []}
    try:
        await _relay_round(runtime, _events(500, "warm"))
        await _raw_round(producer, _events(500, "warm"))
        for n in range(ROUNDS):
            seconds["relay"].append(await _relay_round(runtime, _events(EVENTS, f"r{n}")))
            seconds["raw"].append(await _raw_round(producer, _events(EVENTS, f"r{n}")))
    finally:
        await producer.stop()
        await runtime.relay_producer.stop()
        await runtime.broker.stop()
        await runtime.engine.dispose()
    return seconds


def run() -> dict[str, Any]:
    port = free_port()
    broker = tansu.start(port, log=subprocess.DEVNULL)
    try:
        with database() as url:
            seconds = asyncio.run(_measure(url, f"127.0.0.1:{port}"))
    finally:
        broker.terminate()
        broker.wait(10)
    relay = round(EVENTS / statistics.median(seconds["relay"]))
    raw = round(EVENTS / statistics.median(seconds["raw"]))
    ratio = round(relay / raw, 3)
    result = {
        "workload": f"{EVENTS} outbox rows (LessonCompleted, 20 keys) relayed to Tansu, "
        f"{ROUNDS} interleaved rounds per side",
        "relay_per_s": relay,
        "relay_runs_s": [round(s, 3) for s in seconds["relay"]],
        "baseline_raw_aiokafka_per_s": raw,
        "raw_runs_s": [round(s, 3) for s in seconds["raw"]],
        "relay_vs_raw": ratio,
        "target": f"relay >= {TARGET_RATIO:.0%} of raw aiokafka produce",
        "target_met": ratio >= TARGET_RATIO,
        "summary_rows": [
            {
                "metric": "outbox relay events/s",
                "ours": relay,
                "baseline": raw,
                "ratio": ratio,
                "target": f">= {TARGET_RATIO:g}x",
                "met": ratio >= TARGET_RATIO,
            }
        ],
    }
    write_result("relay", result)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
