"""Audit ingest: events produced onto Kafka until the audit-export service's log holds them all.

The audit-export service runs as its own process (the local mesh's, on a fresh Tansu and
database); a warm-up batch lets its consumer join first. Then EVENTS `LessonCompleted` events
for 20 operators are produced, and the rate is EVENTS / (first send -> last row in the log).
Baseline, same run and database: `COPY FROM` of the very rows it wrote into a table of the same
shape (LIKE audit_log INCLUDING ALL: same indexes), median of 3.

`uv run python -m bench ingest`; BENCH_INGEST_EVENTS (20000) scales it. With py-spy (PATH or
BENCH_PY_SPY) the service is profiled while it ingests (summary in the result); its CPU use is
recorded either way (events per CPU-second of the service says what one free core would give).
"""

import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from academy_runtime import db
from bench.common import STATE, database, mesh, write_result
from bench.cpu import CpuWindow, profile_summary, py_spy, start_profiles
from contracts import Envelope, encode
from contracts.assessment import LessonCompleted

EVENTS = int(os.environ.get("BENCH_INGEST_EVENTS", "20000"))
WARM_UP = 200
WITHIN_S = 300.0
TARGET_PER_S = 5000
ROUNDS = 3
PROFILES = STATE / "profiles"  # py-spy collapsed stacks of the last run (not committed)


async def _produce(bootstrap: str, count: int, tag: str) -> float:
    """Send `count` events for 20 operators; returns the wall-clock time of the first send."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20)
    await producer.start()
    when = datetime.now(UTC)
    records = []
    for n in range(count):
        data = LessonCompleted(
            staff_id=f"staff-{n % 500}", jurisdiction="MGA", role="compliance_officer",
            track_version="mga-2031.1", module_id="core-aml", lesson_id="core-aml-1",
            completed_at=when,
        )  # fmt: skip
        records.append(encode(Envelope(data=data, tenantid=f"op-{tag}-{n % 20:02d}", source="/b")))
    try:
        started = time.time()
        for record in records:
            headers = [(k, v.encode()) for k, v in record.headers.items()]
            await producer.send(record.topic, record.value, key=record.key, headers=headers)
        await producer.flush()
    finally:
        await producer.stop()
    return started


async def _held(conn: asyncpg.Connection, tag: str) -> int:
    query = "SELECT count(*) FROM audit_export.audit_log WHERE operator_id LIKE $1"
    return int(await conn.fetchval(query, f"op-{tag}-%"))


async def _ingest(
    bootstrap: str, url: str, rows_file: Path, service_pid: int | None
) -> dict[str, Any]:
    conn = await asyncpg.connect(db.plain_dsn(url))
    try:
        await _produce(bootstrap, WARM_UP, "warm")
        deadline = time.monotonic() + 120
        while await _held(conn, "warm") < WARM_UP:
            if time.monotonic() > deadline:
                raise TimeoutError("audit-export did not ingest the warm-up batch")
            await asyncio.sleep(0.2)
        spy = py_spy()
        profiling = (
            start_profiles(spy, {"audit-export": service_pid}, 5, PROFILES)
            if spy and service_pid
            else []
        )
        cpu = CpuWindow({"audit-export": service_pid} if service_pid else {})
        cpu.begin()
        started = await _produce(bootstrap, EVENTS, "ingest")
        produced = time.time()
        deadline = time.monotonic() + WITHIN_S
        while (held := await _held(conn, "ingest")) < EVENTS and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        took = time.time() - started
        shares = cpu.end()
        for profiler in profiling:
            await asyncio.to_thread(profiler.wait, 60)
        copy_s = await _copy_from(conn, rows_file)
    finally:
        await conn.close()
    return {
        "events": EVENTS,
        "held": held,
        "complete": held >= EVENTS,
        "produce_s": round(produced - started, 2),
        "seconds": round(took, 2),
        "ingest_per_s": round(held / took),
        # % of one core over the ingest: the service's own, and what else the machine ran
        "cpu_pct": shares,
        "events_per_service_cpu_s": round(
            held / max(1e-9, shares.get("audit-export", 0.0) / 100 * took)
        ),
        "copy_from_runs_s": [round(s, 3) for s in copy_s],
        "copy_from_per_s": round(held / statistics.median(copy_s)),
    }


async def _copy_from(conn: asyncpg.Connection, rows_file: Path) -> list[float]:
    """COPY FROM of the ingested rows into a same-shaped table, ROUNDS times."""
    ordered = (
        "SELECT * FROM audit_export.audit_log WHERE operator_id LIKE 'op-ingest-%' "
        "ORDER BY operator_id, idx"
    )
    await conn.copy_from_query(ordered, output=rows_file, format="binary")
    await conn.execute(
        "CREATE TABLE audit_export.bench_copy (LIKE audit_export.audit_log INCLUDING ALL)"
    )
    runs = []
    for _ in range(ROUNDS):
        await conn.execute("TRUNCATE audit_export.bench_copy")
        started = time.perf_counter()
        await conn.copy_to_table(
            "bench_copy", source=rows_file, schema_name="audit_export", format="binary"
        )
        runs.append(time.perf_counter() - started)
    await conn.execute("DROP TABLE audit_export.bench_copy")
    return runs


def run() -> dict[str, Any]:
    STATE.mkdir(parents=True, exist_ok=True)
    with (
        database() as url,
        mesh(url, only={"audit-export"}) as running,
        tempfile.TemporaryDirectory(dir=STATE) as scratch,
    ):
        assert running.kafka_bootstrap
        child = running.children.get("audit-export")
        pid = child.process.pid if child and child.process else None
        for old in PROFILES.glob("audit-export.txt"):
            old.unlink()
        ingest = asyncio.run(
            _ingest(running.kafka_bootstrap, url, Path(scratch) / "rows.copy", pid)
        )
    ratio = round(ingest["ingest_per_s"] / ingest["copy_from_per_s"], 4)
    met = ingest["complete"] and ingest["ingest_per_s"] >= TARGET_PER_S
    result = {
        "workload": f"{EVENTS} LessonCompleted events for 20 operators produced onto Kafka, "
        "into the audit-export service (its own process) until its log holds them all",
        "ingest": ingest,
        "ingest_vs_copy_from": ratio,
        "target": f">= {TARGET_PER_S} events/s",
        "target_met": met,
        **(
            {"profile": profile_summary(PROFILES / "audit-export.txt")}
            if (PROFILES / "audit-export.txt").exists()
            else {}
        ),
        "summary_rows": [
            {
                "metric": "audit ingest events/s",
                "ours": ingest["ingest_per_s"],
                "baseline": ingest["copy_from_per_s"],
                "ratio": ratio,
                "target": f">= {TARGET_PER_S}/s",
                "met": met,
            }
        ],
    }
    write_result("ingest", result)
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
