"""Audit export: ingest rate, and build + upload of one 1,000,000-event operator-day.

Measured in one run against baselines on the same machine, database and sshd:
- ingest: events through Kafka (Tansu) into the service's idempotent consumer and audit log,
  against Postgres COPY FROM of the very rows it wrote;
- pack: the real nightly pass for one operator-day (seal, stream the rows, build the signed
  pack, upload to a local OpenSSH sshd under a temporary name, read back + SHA-256, rename,
  record), in a child process whose peak RSS is the memory figure; against COPY TO of the same
  rows plus an OpenSSH `sftp` put of a file of the pack's size (COPY FROM + put shown too).

`uv run python -m bench audit`; sizes via BENCH_AUDIT_EVENTS / BENCH_AUDIT_INGEST_EVENTS.
"""

import asyncio
import json
import logging
import os
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import aclosing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from academy_runtime import db, migrations
from academy_testkit import tansu
from academy_testkit.ports import free_port
from academy_testkit.sshd import OpenSshServer
from audit_export.app import MIGRATIONS, create
from auditpack.merkle import MerkleAccumulator, leaf_hash
from auditpack.period import utc_text
from auditpack.records import AuditRecord
from bench.common import STATE, database, write_result
from contracts import Envelope, encode
from contracts.assessment import AttemptSubmitted, LessonCompleted

EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", "1000000"))
INGEST_EVENTS = int(os.environ.get("BENCH_AUDIT_INGEST_EVENTS", "20000"))
#: Each side is measured this many times (the machine is shared); medians are compared.
ROUNDS = 3
OPERATOR = "op-bench"
DAY = date(2031, 3, 10)
DAY_START = datetime(2031, 3, 10, tzinfo=UTC)
COLUMNS = ("operator_id", "idx", "event_id", "ce_type", "recorded_at", "line", "leaf_hash")
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_IX, _ID, _AT = 987654321987, "@@event-id@@", "2031-03-10T11:11:11.111111Z"


def _settings(url: str, key: Path, **over: Any) -> dict[str, Any]:
    keyring = [{"key_id": "bench", "valid_from": "2020-01-01T00:00:00Z", "path": str(key)}]
    return {"environment": "test", "database_url": url, "signing_keys": json.dumps(keyring), **over}


# -- the operator-day: canonical lines from templates, written as a COPY binary file ---------
def _template(data: Any) -> tuple[bytes, str]:
    at = datetime.fromisoformat(_AT[:-1]).replace(tzinfo=UTC)
    envelope = Envelope(data=data, tenantid=OPERATOR, source="/academy/assessment", id=_ID, time=at)
    return AuditRecord.from_envelope(_IX, at, envelope).line, data.ce_type


def _templates() -> list[tuple[bytes, str]]:
    moment = DAY_START + timedelta(hours=9)
    lesson = LessonCompleted(
        staff_id="00u1a2b3c4D5e6F7g8h9", jurisdiction="MGA", role="compliance_officer",
        track_version="mga-2031.1", module_id="core-aml", lesson_id="core-aml-2",
        completed_at=moment,
    )  # fmt: skip
    exam = AttemptSubmitted(
        attempt_id="att-bench", staff_id="00u1a2b3c4D5e6F7g8h9", staff_name="Ana Borg",
        staff_email="ana@op-bench.example", role="compliance_officer", jurisdiction="MGA",
        track_version="mga-2031.1", attempt_number=1, started_at=moment - timedelta(minutes=30),
        submitted_at=moment, score=91, pass_mark=80, result="pass", certificate_id="cert-bench",
        certificate_valid_until=moment + timedelta(days=548),
    )  # fmt: skip
    return [_template(lesson), _template(exam)]


def _rows(count: int) -> Iterator[tuple[int, str, str, datetime, bytes]]:
    """(index, event id, type, recorded_at, canonical line): 1% exam attempts, rest lessons."""
    (lesson, lesson_type), (exam, exam_type) = _templates()
    for index in range(count):
        recorded = DAY_START + timedelta(microseconds=80_000 * index)
        text = utc_text(recorded).encode()
        line, kind = (exam, exam_type) if index % 100 == 7 else (lesson, lesson_type)
        event_id = f"bench-{index}"
        line = (
            line.replace(str(_IX).encode(), str(index).encode(), 1)
            .replace(_ID.encode(), event_id.encode(), 1)
            .replace(_AT.encode(), text)  # the event's time and recorded_at
        )
        yield index, event_id, kind, recorded, line


def _field(value: bytes) -> bytes:
    return struct.pack(">i", len(value)) + value


def write_copy_file(path: Path, count: int) -> tuple[int, tuple[bytes, ...], datetime]:
    """The day's rows in COPY BINARY format; returns (size, frontier, last recorded_at)."""
    log = MerkleAccumulator()
    last = DAY_START
    with path.open("wb") as out:
        out.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
        for index, event_id, kind, recorded, line in _rows(count):
            if index % 50_000 == 0:
                AuditRecord.from_line(line)  # the generated lines are canonical records
            leaf = leaf_hash(line)
            log.add(leaf)
            micros = (recorded - _PG_EPOCH) // timedelta(microseconds=1)
            out.write(
                struct.pack(">h", len(COLUMNS))
                + _field(OPERATOR.encode())
                + _field(struct.pack(">q", index))
                + _field(event_id.encode())
                + _field(kind.encode())
                + _field(struct.pack(">q", micros))
                + _field(line)
                + _field(leaf)
            )
            last = recorded
        out.write(struct.pack(">h", -1))
    state = log.state()
    return state.size, state.frontier, last


async def load_day(url: str, copy_file: Path, frontier: tuple[bytes, ...], last: datetime) -> float:
    """COPY FROM the day's rows into the audit log (timed: the write baseline), then its head."""
    conn = await asyncpg.connect(db.plain_dsn(url))
    try:
        started = time.perf_counter()
        await conn.copy_to_table(
            "audit_log", source=copy_file, schema_name="audit_export", format="binary"
        )
        took = time.perf_counter() - started
        await conn.execute(
            "INSERT INTO audit_export.log_heads (operator_id, size, frontier, last_recorded_at) "
            "VALUES ($1, $2, $3, $4)",
            OPERATOR, EVENTS, list(frontier), last,
        )  # fmt: skip
        await conn.execute(
            "VACUUM (ANALYZE) audit_export.audit_log"
        )  # as by night, after autovacuum
        return took
    finally:
        await conn.close()


async def copy_out(url: str) -> float:
    """COPY TO of the same rows (the read baseline)."""
    conn = await asyncpg.connect(db.plain_dsn(url))

    async def sink(_chunk: bytes) -> None:
        return None

    try:
        started = time.perf_counter()
        await conn.copy_from_query(
            "SELECT * FROM audit_export.audit_log WHERE operator_id = $1 ORDER BY idx",
            OPERATOR, output=sink, format="binary",
        )  # fmt: skip
        return time.perf_counter() - started
    finally:
        await conn.close()


def sftp_put(sshd: OpenSshServer, local: Path, remote: str) -> float:
    """Plain OpenSSH `sftp` put of a file (the transfer baseline)."""
    command = [
        "sftp", "-q", "-b", "-", "-i", str(sshd.client_key), "-P", str(sshd.port),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        f"{sshd.user}@127.0.0.1",
    ]  # fmt: skip
    started = time.perf_counter()
    batch = f"put {local} {remote}\n".encode()
    subprocess.run(command, input=batch, check=True, capture_output=True)
    return time.perf_counter() - started


# -- the pack: the real nightly pass, in a child process ----------------------------------
def child(arguments: dict[str, Any]) -> dict[str, Any]:
    from sqlalchemy import text

    from academy_runtime.service import ServiceRuntime
    from audit_export.adapters.orm import SCHEMA, metadata
    from audit_export.app import wire
    from audit_export.service.exports import run_pass
    from audit_export.settings import AuditExportSettings
    from contracts import topics

    settings = AuditExportSettings(**arguments["settings"])
    now = datetime.fromisoformat(arguments["now"])
    runtime = ServiceRuntime(settings, schema=SCHEMA, metadata=metadata, produces=[topics.AUDIT])
    wiring = wire(settings, runtime, clock=lambda: now)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    async def passes() -> list[float]:
        """The first delivery (build + record), then redeliveries (rebuild) of the same day."""
        took = []
        try:
            for attempt in range(ROUNDS):
                if attempt:  # make the delivered day due again, as a support retry would
                    async with runtime.engine.begin() as conn:
                        await conn.execute(
                            text(
                                "UPDATE audit_export.export_runs SET status = 'failed', "
                                "next_attempt_at = NULL WHERE operator_id = :op"
                            ),
                            {"op": OPERATOR},
                        )
                started = time.perf_counter()
                report = await run_pass(wiring.exporter, [OPERATOR])
                took.append(time.perf_counter() - started)
                assert report.delivered == [(OPERATOR, DAY)], (report.failed, report.errors)
        finally:
            await runtime.engine.dispose()
        return took

    async def breakdown() -> dict[str, float]:
        """The same day's parts alone: streaming its log blocks; building it without uploading."""
        from audit_export.service.packs import build_unsent

        workshop = wiring.workshop
        try:
            started = time.perf_counter()
            async with aclosing(workshop.blocks.blocks(OPERATOR, 0, EVENTS)) as blocks:
                async for _block in blocks:
                    pass
            streamed = time.perf_counter() - started
            started = time.perf_counter()
            await build_unsent(workshop, OPERATOR, DAY, now=now, has_target=True)
            built = time.perf_counter() - started
        finally:
            await runtime.engine.dispose()
        return {"stream_rows_s": round(streamed, 2), "build_without_upload_s": round(built, 2)}

    took = asyncio.run(passes())
    parts = asyncio.run(breakdown())
    return {
        "seconds": round(statistics.median(took), 2),
        "runs_s": [round(t, 2) for t in took],
        **parts,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_after_imports_mb": round(rss_before / 1024, 1),
    }


def measure_pack(url: str, key: Path, sshd: OpenSshServer, remote: Path) -> dict[str, Any]:
    target = {
        "host": "127.0.0.1", "port": sshd.port, "username": sshd.user,
        "private_key_path": str(sshd.client_key), "host_key_fingerprint": sshd.host_fingerprint,
        "remote_dir": str(remote),
    }  # fmt: skip
    arguments = {
        "settings": _settings(
            url, key, sftp_targets=json.dumps({OPERATOR: target}),
            export_work_dir=str(remote.parent), export_attempts_per_pass=1,
        ),
        "now": (DAY_START + timedelta(days=1, hours=2)).isoformat(),
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "bench.audit", "--child", json.dumps(arguments)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the pack benchmark failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- ingest: through Kafka into the running consumer --------------------------------------
async def measure_ingest(url: str, key: Path, count: int, rows_file: Path) -> dict[str, Any]:
    port = free_port()
    broker = tansu.start(port)
    bootstrap = f"127.0.0.1:{port}"
    from audit_export.settings import AuditExportSettings

    settings = AuditExportSettings(
        **_settings(url, key),
        kafka_bootstrap_servers=bootstrap,
        kafka_session_timeout_ms=1000,
        kafka_heartbeat_interval_ms=300,
        consumer_group=f"bench-{uuid.uuid4().hex[:6]}",
    )
    _app, runtime = create(settings, scheduler=False)
    operators = [f"op-ingest-{n:02d}" for n in range(20)]
    try:
        await runtime.ensure_topics()
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20)
        await producer.start()
        when = datetime.now(UTC)
        for n in range(count):
            data = LessonCompleted(
                staff_id=f"staff-{n % 500}", jurisdiction="MGA", role="compliance_officer",
                track_version="mga-2031.1", module_id="core-aml", lesson_id="core-aml-1",
                completed_at=when,
            )  # fmt: skip
            record = encode(Envelope(data=data, tenantid=operators[n % 20], source="/bench"))
            headers = [(k, v.encode()) for k, v in record.headers.items()]
            await producer.send(record.topic, record.value, key=record.key, headers=headers)
        await producer.flush()
        await producer.stop()
        logging.disable(logging.INFO)  # FastStream logs two lines per message at INFO
        await runtime.start()
        conn = await asyncpg.connect(db.plain_dsn(url))
        try:
            query = "FROM audit_export.audit_log WHERE operator_id LIKE 'op-ingest-%'"
            while True:
                if await conn.fetchval(f"SELECT count(*) {query}") >= count:
                    break
                await asyncio.sleep(0.5)
            first, last = await conn.fetchrow(f"SELECT min(recorded_at), max(recorded_at) {query}")
            rate = (count - 1) / (last - first).total_seconds()
            await conn.execute(
                "CREATE TABLE audit_export.bench_copy (LIKE audit_export.audit_log INCLUDING ALL)"
            )
            ordered = f"SELECT * {query} ORDER BY operator_id, idx"
            await conn.copy_from_query(ordered, output=rows_file, format="binary")
            started = time.perf_counter()
            await conn.copy_to_table(
                "bench_copy", source=rows_file, schema_name="audit_export", format="binary"
            )
            copy_rate = count / (time.perf_counter() - started)
        finally:
            await conn.close()
    finally:
        await runtime.stop(drain_s=5)
        logging.disable(logging.NOTSET)
        broker.terminate()
        broker.wait(10)
    return {"events": count, "ingest_per_s": round(rate), "copy_from_per_s": round(copy_rate)}


def run() -> dict[str, Any]:
    STATE.mkdir(parents=True, exist_ok=True)
    with database() as url, tempfile.TemporaryDirectory(dir=STATE) as scratch:
        tmp = Path(scratch)
        migrations.upgrade(MIGRATIONS, url)
        key = tmp / "signing.seed"
        key.write_bytes(os.urandom(32))
        sshd = OpenSshServer(tmp / "sshd")
        sshd.start()
        try:
            ingest = asyncio.run(measure_ingest(url, key, INGEST_EVENTS, tmp / "ingested.copy"))
            copy_file = tmp / "day.copy"
            size, frontier, last = write_copy_file(copy_file, EVENTS)
            copy_in_s = asyncio.run(load_day(url, copy_file, frontier, last))
            copy_file.unlink()
            remote = tmp / "archive"
            remote.mkdir()
            pack = measure_pack(url, key, sshd, remote)
            [delivered] = [p for p in remote.iterdir() if p.name.startswith("auditpack-")]
            pack["zip_bytes"] = delivered.stat().st_size
            copies = [asyncio.run(copy_out(url)) for _ in range(ROUNDS)]
            puts = [sftp_put(sshd, delivered, str(remote / "put.bin")) for _ in range(ROUNDS)]
        finally:
            sshd.stop()
    copy_out_s, put_s = statistics.median(copies), statistics.median(puts)
    baseline = copy_out_s + put_s
    result = {
        "workload": f"{EVENTS} events in one operator-day ({pack['zip_bytes']} byte pack); "
        f"ingest of {INGEST_EVENTS} events for 20 operators via Kafka",
        "pack": {**pack, "events": size},
        "baseline": {
            "copy_to_s": round(copy_out_s, 2),
            "copy_to_runs_s": [round(t, 2) for t in copies],
            "copy_from_s": round(copy_in_s, 2),
            "sftp_put_s": round(put_s, 2),
            "sftp_put_runs_s": [round(t, 2) for t in puts],
        },
        "pack_vs_copy_to_plus_put": round(pack["seconds"] / baseline, 2),
        "pack_vs_copy_from_plus_put": round(pack["seconds"] / (copy_in_s + put_s), 2),
        "ingest": ingest,
        "ingest_vs_copy_from": round(ingest["ingest_per_s"] / ingest["copy_from_per_s"], 4),
        "target": "pack within 2x of the baseline, peak RSS < 300 MB",
        "target_met": pack["seconds"] <= 2 * baseline and pack["peak_rss_mb"] < 300,
        "method": f"medians of {ROUNDS} runs per side; pack = the nightly pass for the day "
        "(1st: build + deliver + record; then rebuild + redeliver after a retry request)",
    }
    write_result("audit", result)
    return result


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(child(json.loads(sys.argv[2]))))
    else:
        print(json.dumps(run(), indent=2))
