"""The nightly pass: a verifiable pack per operator per day (empty days too), catch-up,
exactly-once delivery across replicas, retries with backoff, operators without a target."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from audit_export_harness import (
    DAY0,
    T0,
    FakeClock,
    Harness,
    RecordingUploader,
    at,
    attempt,
    envelope,
    lesson,
    names,
    new_operator,
    target_json,
    unlocked,
)
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from audit_export.domain.targets import SftpTarget
from audit_export.service.packs import built_pack
from audit_export.service.ports import DeliveryError
from audit_export.service.status import discover_operators
from auditpack.period import pack_filename
from auditpack.verify import verify_pack
from contracts import topics

pytestmark = pytest.mark.integration

FINGERPRINT = "SHA256:" + "A" * 43


def fake_target(operator_id: str) -> SftpTarget:
    return SftpTarget(
        host="archive.test",
        username="archive",
        private_key_path=Path("/nonexistent/key"),
        host_key_fingerprint=FINGERPRINT,
        remote_dir=f"/archive/{operator_id}",
    )


def targets(*operators: str) -> str:
    return json.dumps({op: target_json(fake_target(op)) for op in operators})


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def verify_chain(harness: Harness, files: dict[str, bytes], operator: str, days: int, tmp: Path):  # type: ignore[no-untyped-def]
    keyring = harness.wiring.workshop.keyring
    assert keyring is not None
    trusted = [key.public for key in keyring.keys]
    previous = None
    manifests = []
    for n in range(days):
        path = tmp / pack_filename(operator, day(n))
        path.write_bytes(files[path.name])
        result = verify_pack(path, previous=previous, trusted_keys=trusted)
        assert result.ok, [str(f) for f in result.failures]
        assert result.manifest is not None
        manifests.append(result.manifest)
        previous = path
    return manifests


async def test_a_pass_delivers_one_verifiable_pack_per_day_including_empty_days(
    make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    operator = new_operator()
    uploader = RecordingUploader()
    harness = make_harness(uploader=uploader, sftp_targets=targets(operator))
    passed = at(day(0), 10)
    await harness.ingest(
        envelope(operator, lesson(at(day(0), 9))),
        envelope(operator, attempt(passed, number=1)),
        envelope(operator, unlocked(operator, at(day(0), 12), passed)),
        at_time=at(day(0), 12, 5),
    )
    await harness.ingest(envelope(operator, lesson(at(day(2), 8))), at_time=at(day(2), 8))
    harness.clock.set(at(day(3), 1, 30))

    report = await harness.run_pass(operator)

    assert report.delivered == [(operator, day(n)) for n in range(3)]
    manifests = verify_chain(harness, uploader.files, operator, 3, tmp_path)
    rows = [{f.path: f.rows for f in m.files} for m in manifests]
    assert [r["events.jsonl"] for r in rows] == [3, 0, 1]
    assert [r["training-records.csv"] for r in rows] == [1, 0, 0]
    assert [r["release-evidence.csv"] for r in rows] == [1, 0, 0]
    assert [m.pack_seq for m in manifests] == [1, 2, 3]
    assert names(await harness.runs(operator)) == [
        (day(n).isoformat(), "succeeded") for n in range(3)
    ]
    exported = await harness.events(operator, "academy.auditpack.exported.v1")
    assert [e.data.day for e in exported] == [day(0), day(1), day(2)]
    assert exported[-1].data.root == manifests[-1].log.root


async def test_rebuilding_a_delivered_day_gives_a_byte_identical_pack(
    make_harness: Callable[..., Harness],
) -> None:
    operator = new_operator()
    uploader = RecordingUploader()
    harness = make_harness(uploader=uploader, sftp_targets=targets(operator))
    await harness.ingest(envelope(operator, lesson(T0)), envelope(operator, lesson(T0)))
    harness.clock.set(at(day(1), 2))
    await harness.run_pass(operator)

    async with built_pack(
        harness.wiring.workshop, operator, day(0), now=harness.clock(), has_target=True
    ) as rebuilt:
        assert rebuilt.path.read_bytes() == uploader.files[pack_filename(operator, day(0))]


async def test_nothing_is_delivered_for_yesterday_before_the_export_time(
    make_harness: Callable[..., Harness],
) -> None:
    operator = new_operator()
    uploader = RecordingUploader()
    harness = make_harness(uploader=uploader, sftp_targets=targets(operator), export_at_utc="01:00")
    await harness.ingest(envelope(operator, lesson(T0)), at_time=T0)
    harness.clock.set(at(day(1), 0, 59))
    early = await harness.run_pass(operator)
    harness.clock.set(at(day(1), 1, 0))
    on_time = await harness.run_pass(operator)
    assert (operator, day(0)) not in early.delivered
    assert on_time.delivered == [(operator, day(0))]


async def test_a_pass_after_downtime_catches_up_every_missed_day_in_order(
    make_harness: Callable[..., Harness],
) -> None:
    operator = new_operator()
    uploader = RecordingUploader()
    harness = make_harness(uploader=uploader, sftp_targets=targets(operator))
    await harness.ingest(envelope(operator, lesson(T0)), at_time=T0)
    first = await harness.run_pass(operator)  # a new archive: the newest due day, empty
    await harness.ingest(envelope(operator, lesson(T0)), at_time=at(day(1), 7))
    await harness.ingest(envelope(operator, lesson(T0)), at_time=at(day(4), 7))
    harness.clock.set(at(day(6), 3))  # the service was down for five nights

    report = await harness.run_pass(operator)

    assert first.delivered == [(operator, day(-1))]
    assert report.delivered == [(operator, day(n)) for n in range(6)]
    assert uploader.calls == [pack_filename(operator, day(n)) for n in range(-1, 6)]


async def test_two_replicas_deliver_each_pack_exactly_once(
    make_harness: Callable[..., Harness],
) -> None:
    operators = [new_operator() for _ in range(3)]

    class SlowUploader(RecordingUploader):
        @asynccontextmanager
        async def upload(self, target: SftpTarget, name: str) -> AsyncIterator[Any]:
            await asyncio.sleep(0.05)  # keep the lock held while the other replica runs
            async with super().upload(target, name) as upload:
                yield upload

    clock = FakeClock()
    first, second = SlowUploader(), SlowUploader()
    replica_a = make_harness(uploader=first, sftp_targets=targets(*operators), clock=clock)
    replica_b = make_harness(uploader=second, sftp_targets=targets(*operators), clock=clock)
    for operator in operators:
        await replica_a.ingest(envelope(operator, lesson(T0)), at_time=T0)
    clock.set(at(day(3), 2))

    for _ in range(2):
        await asyncio.gather(
            replica_a.run_pass(*operators), replica_b.run_pass(*reversed(operators))
        )

    delivered = first.calls + second.calls
    assert sorted(delivered) == sorted(
        pack_filename(op, day(n)) for op in operators for n in range(3)
    )
    for operator in operators:
        exported = await replica_a.events(operator, "academy.auditpack.exported.v1")
        assert sorted(e.data.day for e in exported) == [day(0), day(1), day(2)]


async def test_a_failed_delivery_is_recorded_and_retried_with_backoff(
    make_harness: Callable[..., Harness],
) -> None:
    operator = new_operator()
    uploader = RecordingUploader()
    harness = make_harness(
        uploader=uploader,
        sftp_targets=targets(operator),
        export_attempts_per_pass=3,
        export_retry_base_s=60,
    )
    await harness.ingest(envelope(operator, lesson(T0)), at_time=T0)
    uploader.failures = [DeliveryError("unreachable", "archive.test:22 refused")] * 3
    harness.clock.set(at(day(1), 2))

    failed = await harness.run_pass(operator)
    [run] = await harness.runs(operator)
    too_soon = await harness.run_pass(operator)
    tries_before_retry = len(uploader.calls)
    harness.clock.set(run.next_attempt_at or T0)
    retried = await harness.run_pass(operator)

    assert failed.failed == [(operator, day(0), "unreachable")]
    assert (run.status.value, run.attempts, run.failure_reason) == ("failed", 3, "unreachable")
    assert run.last_error == "archive.test:22 refused"
    assert run.next_attempt_at == at(day(1), 2) + timedelta(seconds=60 * 4)
    assert too_soon.delivered == []
    assert tries_before_retry == 3
    assert retried.delivered == [(operator, day(0))]
    [done] = await harness.runs(operator)
    assert (done.status.value, done.attempts) == ("succeeded", 4)
    [failure] = await harness.events(operator, "academy.auditpack.export_failed.v1")
    assert (failure.data.attempt, failure.data.reason) == (3, "unreachable")


async def test_an_operator_without_a_target_keeps_its_chain_until_one_is_configured(
    make_harness: Callable[..., Harness], tmp_path: Path
) -> None:
    operator = new_operator()
    clock = FakeClock()
    without = make_harness(clock=clock)
    await without.ingest(envelope(operator, lesson(T0)), at_time=T0)
    clock.set(at(day(2), 2))
    await without.run_pass(operator)
    assert names(await without.runs(operator)) == [
        (day(0).isoformat(), "awaiting_target"),
        (day(1).isoformat(), "awaiting_target"),
    ]

    uploader = RecordingUploader()
    configured = make_harness(uploader=uploader, sftp_targets=targets(operator), clock=clock)
    report = await configured.run_pass(operator)

    assert report.delivered == [(operator, day(0)), (operator, day(1))]
    verify_chain(configured, uploader.files, operator, 2, tmp_path)


async def test_discovery_covers_targets_and_logged_operators_but_not_the_platform(
    make_harness: Callable[..., Harness],
) -> None:
    logged, configured = new_operator(), new_operator()
    harness = make_harness(sftp_targets=targets(configured))
    await harness.ingest(envelope(logged, lesson(T0)), envelope(topics.PLATFORM_TENANT, lesson(T0)))
    async with harness.wiring.workshop.units() as uow:
        operators, without_target = await discover_operators(uow, harness.wiring.targets)
    assert {logged, configured} <= set(operators)
    assert topics.PLATFORM_TENANT not in operators
    assert logged in without_target
    assert configured not in without_target


async def test_the_database_refuses_to_change_a_built_pack_record(
    make_harness: Callable[..., Harness],
) -> None:
    operator = new_operator()
    harness = make_harness(sftp_targets=targets(operator), uploader=RecordingUploader())
    await harness.ingest(envelope(operator, lesson(T0)), at_time=T0)
    harness.clock.set(at(day(1), 2))
    await harness.run_pass(operator)
    async with harness.runtime.engine.connect() as conn:
        for statement in (
            "UPDATE audit_export.packs SET root = 'forged' WHERE operator_id = :op",
            "DELETE FROM audit_export.packs WHERE operator_id = :op",
        ):
            attempt_ = await conn.begin()
            try:
                with pytest.raises(DBAPIError, match="append-only"):
                    await conn.execute(text(statement), {"op": operator})
            finally:
                await attempt_.rollback()
