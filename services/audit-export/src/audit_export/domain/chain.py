"""The pack chain: what each built pack records so the next one (and a rebuild) can follow."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from auditpack.merkle import LogState
from auditpack.pack import PackResult, PackSpec
from auditpack.period import Period, pack_filename


@dataclass(frozen=True, slots=True)
class PackLink:
    """One built daily pack of an operator: its place in the chain and its log states."""

    operator_id: str
    day: date
    pack_seq: int
    previous_manifest_sha256: str | None
    manifest_sha256: str
    log_before: LogState
    log_after: LogState
    key_id: str
    event_count: int
    zip_bytes: int
    zip_sha256: str
    built_at: datetime

    @property
    def spec(self) -> PackSpec:
        """What rebuilding this pack byte for byte takes (with the same records and keys)."""
        return PackSpec(
            self.operator_id,
            Period.day(self.day),
            self.pack_seq,
            self.previous_manifest_sha256,
            self.log_before,
        )

    @property
    def filename(self) -> str:
        return pack_filename(self.operator_id, self.day)

    @property
    def root_hex(self) -> str:
        return self.log_after.root.hex()

    def next_spec(self) -> PackSpec:
        """The spec of the following day's pack."""
        return PackSpec(
            self.operator_id,
            Period.day(self.day + timedelta(days=1)),
            self.pack_seq + 1,
            self.manifest_sha256,
            self.log_after,
        )

    @classmethod
    def of(
        cls, spec: PackSpec, result: PackResult, *, zip_sha256: str, built_at: datetime
    ) -> "PackLink":
        return cls(
            operator_id=spec.operator_id,
            day=spec.period.start.date(),
            pack_seq=spec.pack_seq,
            previous_manifest_sha256=spec.previous_manifest_sha256,
            manifest_sha256=result.manifest_sha256,
            log_before=spec.log_before,
            log_after=result.log_after,
            key_id=result.key_id,
            event_count=result.event_count,
            zip_bytes=result.zip_bytes,
            zip_sha256=zip_sha256,
            built_at=built_at,
        )


def first_spec(operator_id: str, day: date) -> PackSpec:
    """The first pack of a chain: sequence 1, no previous manifest, an empty log before it."""
    return PackSpec(operator_id, Period.day(day), 1, None, LogState.empty())


class RunStatus(StrEnum):
    """Where an operator-day delivery stands."""

    PENDING = "pending"  # built, not yet tried
    FAILED = "failed"  # tried and failed; retried from next_attempt_at
    AWAITING_TARGET = "awaiting_target"  # built; the operator has no SFTP target configured
    SUCCEEDED = "succeeded"


@dataclass(frozen=True, slots=True)
class ExportRun:
    """The record of delivering one operator-day pack: status, attempts, last error."""

    operator_id: str
    day: date
    status: RunStatus
    attempts: int
    last_error: str | None
    failure_reason: str | None
    next_attempt_at: datetime | None
    remote_path: str | None
    delivered_at: datetime | None

    def due(self, now: datetime, *, has_target: bool) -> bool:
        """Whether a pass at `now` should (re)try delivering this run."""
        if self.status is RunStatus.SUCCEEDED or not has_target:
            return False
        return self.next_attempt_at is None or self.next_attempt_at <= now


@dataclass(frozen=True, slots=True)
class ExportState:
    """What a pass reads of an operator, for all operators at once, to tell if it has work."""

    operator_id: str
    first_day: date | None  # the chain's first day; None until it is registered
    first_record_at: datetime | None  # its first audit record (read only while no chain)
    last_day: date | None  # the newest built pack's day
    oldest_open: ExportRun | None  # its oldest run not yet delivered


def next_unbuilt_day(first_day: date, last_day: date | None) -> date:
    """The next day of a chain to build: its first day, or the day after its newest pack."""
    return first_day if last_day is None else last_day + timedelta(days=1)
