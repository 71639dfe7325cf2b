"""What the handlers need from the outside world, as Protocols: the stores of one unit of
work, operator locks, delivery, the log block stream, the clock (SQL/SFTP adapters; fakes in
tests)."""

from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from academy_runtime.uow import EventSink
from audit_export.domain.chain import ExportRun, ExportState, PackLink, RunStatus
from audit_export.domain.targets import SftpTarget
from auditpack.merkle import LogState
from auditpack.pack import LogBlock
from contracts import Envelope


class DeliveryError(Exception):
    """A failed delivery; `reason` is a short stable label (metrics), the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Delivery:
    """A pack verified in the archive: where, how many bytes, their SHA-256."""

    remote_path: str
    size: int
    sha256: str


class PackSink(Protocol):
    """Where a pack's bytes go as they are built."""

    async def write(self, data: bytes) -> None: ...


class Upload(PackSink, Protocol):
    """A pack going into an archive under a temporary name until it is published."""

    async def verify(self) -> Delivery: ...

    async def publish(self) -> None: ...


class Uploader(Protocol):
    def upload(self, target: SftpTarget, name: str) -> AbstractAsyncContextManager[Upload]: ...


class BlockSource(Protocol):
    """An operator's log entries start <= index < end, as blocks, in order (close it when
    leaving early: `contextlib.aclosing`)."""

    def blocks(self, operator_id: str, start: int, end: int) -> AsyncGenerator[LogBlock, None]: ...


@dataclass(frozen=True, slots=True)
class Head:
    """An operator's log head, read under its row lock."""

    state: LogState
    last_recorded_at: datetime | None
    sealed_until: datetime | None


@dataclass(frozen=True, slots=True)
class NewRecord:
    """A record to append to its operator's log at `index`."""

    operator_id: str
    index: int
    event_id: str
    ce_type: str
    recorded_at: datetime
    line: bytes
    leaf: bytes


@dataclass(frozen=True, slots=True)
class HeadAfter:
    """An operator's head once a batch's records are appended."""

    state: LogState
    last_recorded_at: datetime


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One audit log entry as the read API lists it."""

    index: int
    event_id: str
    ce_type: str
    recorded_at: datetime


class LogStore(Protocol):
    """The append-only audit log and its per-operator heads."""

    async def lock_heads(self, operator_ids: Sequence[str]) -> dict[str, Head]:
        """Each operator's head, created if needed and locked until the unit of work ends;
        locked in operator order (sorted), in one go."""
        ...

    async def logged(self, event_ids: Sequence[str]) -> set[str]:
        """Those of `event_ids` already in the log (of any operator)."""
        ...

    async def append_records(
        self, records: Sequence[NewRecord], heads: Mapping[str, HeadAfter]
    ) -> None:
        """Append the records (each right after its operator's head, whose lock this unit
        holds) and advance the heads, in one round trip for the rows and one for the heads."""
        ...

    async def seal(self, operator_id: str, until: datetime) -> int:
        """No record may be appended before `until` any more; returns the log size."""
        ...

    async def first_index_at_or_after(
        self, operator_id: str, moment: datetime, *, default: int
    ) -> int: ...

    async def first_recorded_at(self, operator_id: str) -> datetime | None: ...

    async def operators_in_log(self) -> list[str]: ...

    async def entries(
        self, operator_id: str, *, after: int, limit: int
    ) -> tuple[int, list[LogEntry]]:
        """(the log's size, up to `limit` entries with index > `after`, in order)."""
        ...


class ChainStore(Protocol):
    """Each operator's pack chain: its first day and the built packs (links)."""

    async def chain_first_day(self, operator_id: str) -> date | None: ...

    async def register_chain(self, operator_id: str, first_day: date, *, now: datetime) -> date:
        """Fix the chain's first day (the first registration wins); returns the stored one."""
        ...

    async def link(self, operator_id: str, day: date) -> PackLink | None: ...

    async def last_link(self, operator_id: str) -> PackLink | None: ...

    async def add_link(self, built: PackLink, *, status: RunStatus) -> None:
        """Record a newly built pack and open its export run."""
        ...

    async def export_states(self, operator_ids: Sequence[str]) -> dict[str, ExportState]:
        """Each operator's chain start, newest pack and oldest open run (and, while it has no
        chain, its first record), in one round trip whatever the number of operators."""
        ...

    async def status_snapshot(self) -> dict[str, Any]:
        """What the export gauges show: failing runs, last success per operator, chains."""
        ...


class ExportRuns(Protocol):
    """The export run of each operator-day: pending, failed (with retry time) or delivered."""

    async def open_run(self, operator_id: str, day: date) -> None: ...

    async def open_runs(self, operator_id: str) -> list[ExportRun]:
        """The operator's runs not yet delivered, oldest day first."""
        ...

    async def runs(
        self, operator_id: str, *, limit: int, before: date | None = None
    ) -> list[ExportRun]:
        """The operator's runs, newest day first."""
        ...

    async def mark_succeeded(
        self, operator_id: str, day: date, *, attempts: int, remote_path: str, now: datetime
    ) -> None: ...

    async def mark_failed(
        self,
        operator_id: str,
        day: date,
        *,
        attempts: int,
        error: str,
        reason: str,
        next_attempt_at: datetime,
        now: datetime,
    ) -> int:
        """Record failed tries; returns the run's total attempts."""
        ...

    async def retry_now(self, operator_id: str, day: date, *, now: datetime) -> bool:
        """Make an undelivered run due at once; False if there is none."""
        ...


class OperatorLocks(Protocol):
    """One holder at a time per operator (across replicas), outside any unit of work."""

    def hold(self, operator_id: str, *, wait: bool) -> AbstractAsyncContextManager[bool]:
        """Held in the block; yields False (not held) if busy and not `wait`."""
        ...


class Envelopes(Protocol):
    """Wraps data in this service's CloudEvent (for records appended to the log directly)."""

    def envelope(self, data: Any, *, tenant: str, subject: str | None = None) -> Envelope[Any]: ...


class AuditUnit(Protocol):
    """Everything one transaction offers; opened by entrypoints, built by the adapters (read
    only here, so a fake's richer stores implement it too)."""

    @property
    def log(self) -> LogStore: ...

    @property
    def chains(self) -> ChainStore: ...

    @property
    def runs(self) -> ExportRuns: ...

    @property
    def events(self) -> EventSink: ...


class AuditUnits(Protocol):
    """Opens one unit of work per call, committed on success (`async with units() as uow`).

    Handed to the export and inspection handlers that need several transactions on purpose
    (see service/packs.py); the runtime's `UnitsOfWork` implements it.
    """

    def __call__(self) -> AbstractAsyncContextManager[AuditUnit]: ...


class IngestObserver(Protocol):
    """What ingest reports (the Prometheus metrics)."""

    def appended(self, *, delay_s: float) -> None: ...

    def rejected(self, reason: str) -> None: ...


class ExportObserver(Protocol):
    """What builds, deliveries and passes report (the Prometheus metrics)."""

    def built(self, *, seconds: float) -> None: ...

    def delivered(self, *, seconds: float) -> None: ...

    def delivery_failed(self, reason: str) -> None: ...

    def failed(self, reason: str) -> None:
        """A failure that is not a delivery try (build, integrity)."""
        ...

    def refresh(
        self,
        snapshot: dict[str, Any],
        *,
        with_target: set[str],
        without_target: int,
        passed_at: datetime,
    ) -> None: ...
