"""An export pass costs a few statements when nothing is due, whatever the number of
operators, and still exports the operators that have work (counted on the engine)."""

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from audit_export_harness import (
    DAY0,
    T0,
    Harness,
    RecordingUploader,
    at,
    envelope,
    lesson,
    new_operator,
    target_json,
)

from academy_runtime import migrations
from academy_testkit import postgres
from academy_testkit.statements import counted
from audit_export.app import MIGRATIONS
from audit_export.domain.chain import RunStatus
from audit_export.domain.targets import SftpTarget
from audit_export.entrypoints.scheduler import run_once
from audit_export.service.exports import PassReport, export_operator, has_work
from audit_export.service.ports import DeliveryError

pytestmark = pytest.mark.integration

#: Discovery (1), every operator's export state (1), the gauges' snapshot (4).
STATEMENTS_WHEN_NOTHING_IS_DUE = 6


@pytest.fixture
def own_database_url(pg_server: str) -> Iterator[str]:
    """A database of this test alone, so discovery sees only the operators it creates."""
    name = f"academy_test_pass_{uuid.uuid4().hex[:10]}"
    url = postgres.create_database(pg_server, name)
    migrations.upgrade(MIGRATIONS, url)
    yield url
    postgres.drop_database(pg_server, name)


def fake_target(operator_id: str) -> SftpTarget:
    return SftpTarget(
        host="archive.test",
        username="archive",
        private_key_path=Path("/nonexistent/key"),
        host_key_fingerprint="SHA256:" + "B" * 43,
        remote_dir=f"/archive/{operator_id}",
    )


def targets(operators: list[str]) -> str:
    return json.dumps({op: target_json(fake_target(op)) for op in operators})


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def did_something(report: PassReport) -> bool:
    return bool(report.built or report.delivered or report.failed or report.errors)


async def test_a_pass_over_up_to_date_operators_sends_a_constant_number_of_statements(
    make_harness: Callable[..., Harness], own_database_url: str
) -> None:
    archived = [new_operator() for _ in range(150)]
    unarchived = [new_operator() for _ in range(50)]
    retried, lagging = archived[0], archived[1]
    uploader = RecordingUploader()
    harness = make_harness(
        database_url=own_database_url, uploader=uploader, sftp_targets=targets(archived)
    )
    replica = make_harness(database_url=own_database_url, sftp_targets=targets(archived))
    await harness.ingest(*(envelope(op, lesson(T0)) for op in unarchived), at_time=T0)
    harness.clock.set(at(day(0), 2))
    await harness.run_pass(lagging)  # its chain starts a day earlier than the others'
    harness.clock.set(at(day(1), 2))
    uploader.failures = [DeliveryError("unreachable", "archive down")] * 3
    async with replica.wiring.exporter.locks.hold(lagging, wait=True):
        first = await harness.run_pass(*archived, *unarchived)  # the lagging one is busy
    assert first.failed == [(retried, day(0), "unreachable")]
    assert first.skipped == [lagging]
    assert len(first.delivered) == 148
    assert len(first.built) == 148 + 50

    harness.clock.advance(minutes=1)
    with counted(harness.runtime.engine) as catch_up:
        behind = await run_once(harness.wiring)
    with counted(harness.runtime.engine) as idle:
        nothing = await run_once(harness.wiring)
    [failed] = [run for run in await harness.runs(retried) if run.status is RunStatus.FAILED]
    assert failed.next_attempt_at is not None
    harness.clock.set(failed.next_attempt_at)
    with counted(harness.runtime.engine) as retry:
        retried_report = await run_once(harness.wiring)

    assert behind.delivered == [(lagging, day(0))]  # a due day among up-to-date operators
    assert not did_something(nothing)
    assert len(idle) <= STATEMENTS_WHEN_NOTHING_IS_DUE, idle
    assert retried_report.delivered == [(retried, day(0))]  # a due retry
    for sent in (catch_up, retry):  # the idle pass plus one operator's own work
        assert len(sent) < STATEMENTS_WHEN_NOTHING_IS_DUE + 40, sent


async def test_an_operator_the_pass_skips_is_one_export_operator_leaves_untouched(
    make_harness: Callable[..., Harness],
) -> None:
    ops = {
        name: new_operator()
        for name in (
            "new_target",
            "young_log",
            "old_log",
            "current",
            "waiting",
            "retry_due",
            "behind",
            "unarchived",
            "target_added",
            "held_back",
            "target_removed",
        )
    }
    archived = ["current", "waiting", "retry_due", "behind", "held_back", "target_removed"]
    setup_uploader, uploader = RecordingUploader(), RecordingUploader()
    setup = make_harness(uploader=setup_uploader, sftp_targets=targets([ops[n] for n in archived]))
    checked = [*archived, "new_target", "target_added"]
    checked.remove("target_removed")
    check = make_harness(uploader=uploader, sftp_targets=targets([ops[n] for n in checked]))

    async def run_setup(name: str, *, failing: bool = False) -> None:
        setup_uploader.failures = [DeliveryError("unreachable", "down")] * (3 if failing else 0)
        await setup.run_pass(ops[name])

    for name in ("old_log", "unarchived", "target_added"):
        await setup.ingest(envelope(ops[name], lesson(at(day(1), 9))), at_time=at(day(1), 9))
    setup.clock.set(at(day(2), 2))
    await run_setup("behind")
    await run_setup("held_back", failing=True)
    setup.clock.set(at(day(3), 2))
    for name in ("current", "unarchived", "target_added"):
        await run_setup(name)
    for name in ("waiting", "retry_due", "target_removed"):
        await run_setup(name, failing=True)
    await setup.ingest(envelope(ops["young_log"], lesson(at(day(3), 0, 30))))
    now = check.clock.set(at(day(3), 2, 1))
    async with check.wiring.workshop.units() as uow:
        assert await uow.runs.retry_now(ops["retry_due"], day(2), now=now)
        await uow.runs.mark_failed(
            ops["held_back"],
            day(1),
            attempts=0,
            error="down",
            reason="unreachable",
            next_attempt_at=now + timedelta(hours=1),
            now=now,
        )

    async def states() -> dict[str, Any]:
        async with check.wiring.workshop.units() as uow:
            found = await uow.chains.export_states(list(ops.values()))
        return {name: found[op] for name, op in ops.items()}

    before = await states()
    due = day(2)
    work = {
        name: has_work(state, due=due, now=now, has_target=ops[name] in check.wiring.targets)
        for name, state in before.items()
    }
    assert {name for name, has in work.items() if has} == {
        "new_target",
        "old_log",
        "retry_due",
        "behind",
        "target_added",
        "target_removed",
    }
    reports = {}
    for name, op in ops.items():
        reports[name] = PassReport(due=due)
        await export_operator(check.wiring.exporter, op, due=due, now=now, report=reports[name])
    after = await states()

    for name, has in work.items():
        changed = after[name] != before[name] or did_something(reports[name])
        assert changed == has, (name, before[name], after[name], reports[name])
    assert sorted(uploader.calls) == sorted(
        f"auditpack-{ops[name]}-{d}.zip"
        for name, d in [
            ("new_target", day(2)),
            ("retry_due", day(2)),
            ("behind", day(2)),
            ("target_added", day(1)),
            ("target_added", day(2)),
        ]
    )
