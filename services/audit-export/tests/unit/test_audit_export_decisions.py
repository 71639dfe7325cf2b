"""An export pass's decisions on fakes of its ports: skip, build, deliver, record a failure."""

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from audit_export_builders import OPERATOR, T0, lesson_envelope
from audit_export_fakes import FakeBlocks, FakeLocks, FakeUnit, FakeUnits, FakeUploader
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit_export.domain.chain import ExportRun, RunStatus
from audit_export.domain.targets import SftpTarget
from audit_export.service.exports import ExportPassPorts, ExportPolicy, PassReport, run_pass
from audit_export.service.ingest import append
from audit_export.service.packs import PackBuildPorts
from audit_export.service.ports import DeliveryError
from auditpack.signing import KeyRing, SigningKey
from contracts.audit import AuditExportFailed, AuditPackExported

DAY0 = T0.date()
AFTER_EXPORT_TIME = datetime(2031, 3, 11, 2, 0, tzinfo=UTC)  # day 0's pack is due
TARGET = SftpTarget(
    host="archive.test",
    username="archive",
    private_key_path=Path("/nonexistent"),
    host_key_fingerprint="SHA256:" + "D" * 43,
    remote_dir="/archive",
)


class Setup:
    """An exporter over fakes, with one event logged on day 0."""

    def __init__(self, tmp_path: Path, *, with_target: bool) -> None:
        self.now = AFTER_EXPORT_TIME
        self.units = FakeUnits()
        self.locks = FakeLocks()
        self.uploader = FakeUploader()
        key = SigningKey("unit-key", Ed25519PrivateKey.generate(), datetime(2020, 1, 1, tzinfo=UTC))
        self.exporter = ExportPassPorts(
            workshop=PackBuildPorts(
                units=self.units,
                blocks=FakeBlocks(self.units.unit.log),
                keyring=KeyRing([key]),
                work_dir=tmp_path,
            ),
            locks=self.locks,
            uploader=self.uploader,
            targets={OPERATOR: TARGET} if with_target else {},
            policy=ExportPolicy(attempts_per_pass=3, attempt_backoff_s=0.0),
            clock=lambda: self.now,
        )

    @property
    def unit(self) -> FakeUnit:
        return self.units.unit

    async def log_one_event(self) -> None:
        await append(lesson_envelope(), self.unit, clock=lambda: T0)

    async def run_pass(self) -> PassReport:
        return await run_pass(self.exporter, [OPERATOR])

    def run(self, day: date = DAY0) -> ExportRun:
        return self.unit.runs.runs_by_day[OPERATOR, day]


async def test_an_operator_another_replica_holds_is_skipped_untouched(tmp_path: Path) -> None:
    setup = Setup(tmp_path, with_target=True)
    await setup.log_one_event()
    setup.locks.busy.add(OPERATOR)

    report = await setup.run_pass()

    assert report.skipped == [OPERATOR]
    assert (report.built, report.delivered, report.failed) == ([], [], [])
    assert setup.unit.chains.first_days == {}
    assert setup.uploader.tries == 0


async def test_without_a_target_the_due_day_is_built_and_awaits_its_target(
    tmp_path: Path,
) -> None:
    setup = Setup(tmp_path, with_target=False)
    await setup.log_one_event()

    report = await setup.run_pass()

    assert report.built == [(OPERATOR, DAY0)]
    assert report.delivered == []
    link = setup.unit.chains.links[OPERATOR, DAY0]
    assert (link.pack_seq, link.event_count, link.log_after.size) == (1, 1, 1)
    assert setup.run().status is RunStatus.AWAITING_TARGET
    assert setup.uploader.tries == 0
    assert setup.unit.events.emitted == []


async def test_with_a_target_the_pack_is_delivered_recorded_and_announced_once(
    tmp_path: Path,
) -> None:
    setup = Setup(tmp_path, with_target=True)
    await setup.log_one_event()

    report = await setup.run_pass()
    again = await setup.run_pass()

    assert report.delivered == [(OPERATOR, DAY0)]
    assert report.built == [(OPERATOR, DAY0)]
    assert (again.built, again.delivered) == ([], [])
    [(name, data)] = setup.uploader.files.items()
    link = setup.unit.chains.links[OPERATOR, DAY0]
    assert name == link.filename
    assert hashlib.sha256(data).hexdigest() == link.zip_sha256
    run = setup.run()
    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 1)
    assert run.remote_path == TARGET.remote_path(name)
    [event] = setup.unit.events.emitted
    assert isinstance(event.data, AuditPackExported)
    assert (event.data.zip_sha256, event.data.attempts) == (link.zip_sha256, 1)


async def test_a_failing_archive_records_the_failure_and_a_later_pass_delivers_the_same_day(
    tmp_path: Path,
) -> None:
    setup = Setup(tmp_path, with_target=True)
    await setup.log_one_event()
    setup.uploader.failures = [DeliveryError("unreachable", "archive down")] * 3

    report = await setup.run_pass()

    assert report.failed == [(OPERATOR, DAY0, "unreachable")]
    assert report.delivered == []
    assert setup.uploader.tries == 3
    run = setup.run()
    assert (run.status, run.attempts, run.failure_reason) == (RunStatus.FAILED, 3, "unreachable")
    assert run.next_attempt_at is not None
    assert run.next_attempt_at > setup.now
    assert (OPERATOR, DAY0) not in setup.unit.chains.links  # recorded only once verified
    [failed] = setup.unit.events.emitted
    assert isinstance(failed.data, AuditExportFailed)
    assert (failed.data.attempt, failed.data.reason) == (3, "unreachable")

    early = await setup.run_pass()
    assert (early.delivered, early.failed) == ([], [])  # waits for its retry time
    setup.now = run.next_attempt_at + timedelta(seconds=1)
    later = await setup.run_pass()

    assert later.delivered == [(OPERATOR, DAY0)]
    assert (setup.run().status, setup.run().attempts) == (RunStatus.SUCCEEDED, 4)
    assert isinstance(setup.unit.events.emitted[-1].data, AuditPackExported)


async def test_an_up_to_date_operator_is_passed_over_without_its_lock(tmp_path: Path) -> None:
    setup = Setup(tmp_path, with_target=True)
    await setup.log_one_event()
    await setup.run_pass()
    setup.locks.held.clear()
    opened = setup.units.opened

    again = await setup.run_pass()

    assert (again.built, again.delivered, again.skipped) == ([], [], [])
    assert setup.locks.held == []
    assert setup.units.opened == opened + 1  # every operator's export state, read at once
