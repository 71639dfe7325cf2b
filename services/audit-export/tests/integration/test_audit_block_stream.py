"""The log read back in blocks from Postgres: the same pack as record by record, whatever the
block size; an entry changed or removed behind the log's back fails the build loudly."""

import io
import json
from collections.abc import Callable
from contextlib import aclosing
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from audit_export_harness import (
    T0,
    Harness,
    RecordingUploader,
    at,
    attempt,
    envelope,
    lesson,
    names,
    new_operator,
    training_state,
    unlocked,
)
from sqlalchemy import text
from test_audit_nightly_exports import day, targets

from academy_runtime import db
from audit_export.adapters.block_stream import QUERY, BlockStream
from audit_export.service.packs import PackPlan, ensure_chain, plan_pack, write_pack
from auditpack.pack import (
    READ_TYPES,
    LogAlteredError,
    PackBuilder,
    PackBuildError,
    build_pack,
)
from auditpack.records import AuditRecord
from auditpack.verify import verify_pack

pytestmark = pytest.mark.integration


def _stream(harness: Harness, *, block_entries: int, fetch_bytes: int = 1) -> BlockStream:
    """By default one block per fetch: the most round trips a range can take."""
    url = harness.runtime.settings.database_url.get_secret_value()
    return BlockStream(db.plain_dsn(url), block_entries=block_entries, fetch_bytes=fetch_bytes)


async def _day_with_every_kind(harness: Harness, operator: str, count: int) -> None:
    passed = at(day(0), 10)
    items = [envelope(operator, lesson(T0 + timedelta(minutes=n))) for n in range(count)]
    items[5] = envelope(operator, attempt(passed, number=1))
    items[count - 2] = envelope(operator, unlocked(operator, at(day(0), 12), passed))
    await harness.ingest(*items, at_time=at(day(0), 12, 5))


async def _day_with_training(harness: Harness, operator: str) -> None:
    """58 training states of three staff members on two tracks (later ones superseding
    earlier ones of the same pair), a lesson from before training was recorded, an exam and a
    release."""
    items = []
    for n in range(60):
        when = T0 + timedelta(minutes=n)
        state = training_state(("MGA", "GSC")[n % 2], completed=[("core-aml", T0)], attempts=n)
        items.append(envelope(operator, lesson(when, staff=f"staff-{n % 3}", state=state)))
    items[7] = envelope(operator, lesson(T0))
    items[40] = envelope(operator, attempt(at(day(0), 10), number=1))
    items.append(envelope(operator, unlocked(operator, at(day(0), 12), at(day(0), 10))))
    await harness.ingest(*items, at_time=at(day(0), 12, 5))


async def _plan(harness: Harness, operator: str) -> PackPlan:
    """The plan of the operator's first day (its chain registered as a nightly pass would)."""
    workshop = harness.wiring.workshop
    async with workshop.units() as uow:
        await ensure_chain(uow, operator, due=day(0), has_target=True, now=harness.clock())
    return await plan_pack(workshop, operator, day(0))


async def _records(harness: Harness, operator: str) -> list[AuditRecord]:
    async with harness.runtime.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT line FROM audit_export.audit_log WHERE operator_id = :op ORDER BY idx"),
            {"op": operator},
        )
        return [AuditRecord.from_line(row.line) for row in rows]


class _Discard:
    async def write(self, data: bytes) -> None:
        pass


async def _build(harness: Harness, plan: PackPlan, stream: BlockStream) -> bytes:
    keyring = harness.wiring.workshop.keyring
    assert keyring is not None
    out = io.BytesIO()
    with PackBuilder(spec=plan.spec, keyring=keyring) as builder:
        async with aclosing(stream.blocks(plan.spec.operator_id, plan.start, plan.end)) as blocks:
            async for block in blocks:
                out.write(builder.add_block(block))
        for chunk in builder.finish():
            out.write(chunk)
    return out.getvalue()


async def _tamper(harness: Harness, statement: str, operator: str) -> None:
    """Change the log as someone with the table owner's rights could, triggers off and on
    again in one transaction (nobody else ever sees them off)."""
    async with harness.runtime.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE audit_export.audit_log DISABLE TRIGGER USER"))
        await conn.execute(text(statement), {"op": operator})
        await conn.execute(text("ALTER TABLE audit_export.audit_log ENABLE TRIGGER USER"))


async def test_blocks_of_any_size_build_the_pack_the_records_build(
    make_harness: Callable[..., Harness],
) -> None:
    operator = new_operator()
    harness = make_harness(sftp_targets=targets(operator))
    await _day_with_every_kind(harness, operator, 40)
    harness.clock.set(at(day(1), 2))
    plan = await _plan(harness, operator)
    assert (plan.start, plan.end) == (0, 40)

    expected = io.BytesIO()
    keyring = harness.wiring.workshop.keyring
    assert keyring is not None
    result = build_pack(
        expected, await _records(harness, operator), spec=plan.spec, keyring=keyring
    )
    assert {f.path: f.rows for f in result.manifest.files}["training-records.csv"] == 1
    assert {f.path: f.rows for f in result.manifest.files}["release-evidence.csv"] == 1

    for size, fetch_bytes in ((1, 1), (1, 10**9), (7, 1), (7, 3000), (16, 1), (40, 1), (512, 1)):
        stream = _stream(harness, block_entries=size, fetch_bytes=fetch_bytes)
        built = await _build(harness, plan, stream)
        assert built == expected.getvalue(), f"block size {size}, fetches of {fetch_bytes} bytes"


async def test_a_line_changed_behind_the_logs_back_fails_the_export_as_integrity(
    make_harness: Callable[..., Harness],
) -> None:
    operator = new_operator()
    uploader = RecordingUploader()
    harness = make_harness(uploader=uploader, sftp_targets=targets(operator))
    await _day_with_every_kind(harness, operator, 12)
    await _tamper(
        harness,
        "UPDATE audit_export.audit_log SET line = convert_to(replace(convert_from(line, 'UTF8'), "
        "'staff-1', 'staff-X'), 'UTF8') WHERE operator_id = :op AND idx = 3",
        operator,
    )
    harness.clock.set(at(day(1), 2))

    report = await harness.run_pass(operator)

    assert report.delivered == []
    assert uploader.files == {}
    assert [(op, d, reason) for op, d, reason in report.failed] == [(operator, day(0), "integrity")]
    [run] = await harness.runs(operator)
    assert names([run]) == [(day(0).isoformat(), "failed")]
    assert "stored line 3 no longer hashes to the leaf hash" in (run.last_error or "")
    plan = await _plan(harness, operator)
    with pytest.raises(LogAlteredError, match="stored line 3"):
        await write_pack(harness.wiring.workshop, plan, _Discard())


async def test_an_entry_removed_behind_the_logs_back_fails_the_build(
    make_harness: Callable[..., Harness],
) -> None:
    operator = new_operator()
    harness = make_harness(sftp_targets=targets(operator))
    await _day_with_every_kind(harness, operator, 12)
    await _tamper(
        harness, "DELETE FROM audit_export.audit_log WHERE operator_id = :op AND idx = 11", operator
    )
    harness.clock.set(at(day(1), 2))
    plan = await _plan(harness, operator)
    plan = PackPlan(plan.spec, plan.start, 12, plan.link)  # the range the log head still claims

    for size in (1, 4, 512):  # with 1, a whole block is gone (no lines at all)
        with pytest.raises(PackBuildError, match="log entry 11 is missing"):
            await _build(harness, plan, _stream(harness, block_entries=size))
    await _tamper(
        harness, "DELETE FROM audit_export.audit_log WHERE operator_id = :op AND idx = 6", operator
    )
    for size in (1, 4):
        with pytest.raises(PackBuildError, match="log entry 6 is missing"):
            await _build(harness, plan, _stream(harness, block_entries=size))


async def test_a_pack_built_from_blocks_verifies(
    make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    operator = new_operator()
    harness = make_harness(sftp_targets=targets(operator))
    await _day_with_every_kind(harness, operator, 30)
    harness.clock.set(at(day(1), 2))
    plan = await _plan(harness, operator)
    pack = tmp_path / "p.zip"
    pack.write_bytes(await _build(harness, plan, _stream(harness, block_entries=8)))
    assert verify_pack(pack).ok


async def test_postgres_returns_the_blocks_in_order_without_sorting_them(
    make_harness: Callable[..., Harness],
) -> None:
    """A sort above the blocks would sort the day's whole text (through temp files for a
    large day); the series' ordinality gives the order for free."""
    harness = make_harness()
    url = db.plain_dsn(harness.runtime.settings.database_url.get_secret_value())
    connection = await asyncpg.connect(url, server_settings={"search_path": "audit_export"})
    try:
        explained = await connection.fetchval(
            f"EXPLAIN (FORMAT JSON) {QUERY}", "op", 0, 1_000_000, 512, sorted(READ_TYPES)
        )
    finally:
        await connection.close()
    root = json.loads(explained)[0]["Plan"]
    assert root["Node Type"] == "Nested Loop", root["Node Type"]
    assert root["Plans"][0]["Node Type"] == "Function Scan"


async def test_blocks_build_the_training_register_the_records_build(
    make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    operator = new_operator()
    harness = make_harness(sftp_targets=targets(operator))
    await _day_with_training(harness, operator)
    harness.clock.set(at(day(1), 2))
    plan = await _plan(harness, operator)
    keyring = harness.wiring.workshop.keyring
    assert keyring is not None
    expected = io.BytesIO()
    build_pack(expected, await _records(harness, operator), spec=plan.spec, keyring=keyring)
    for size in (1, 7, 64):
        built = await _build(harness, plan, _stream(harness, block_entries=size))
        assert built == expected.getvalue(), f"block size {size}"
    pack = tmp_path / "p.zip"
    pack.write_bytes(built)
    result = verify_pack(pack)
    assert result.ok, result.failures
    assert result.manifest is not None
    rows = {f.path: f.rows for f in result.manifest.files}
    assert rows["training-register.csv"] == 6
