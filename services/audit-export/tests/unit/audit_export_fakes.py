"""In-memory implementations of the audit export's ports, for unit tests of the real handlers."""

import hashlib
import io
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from academy_testkit.events import RecordingEvents
from audit_export.domain.chain import ExportRun, ExportState, PackLink, RunStatus
from audit_export.domain.targets import SftpTarget
from audit_export.service.ports import (
    Delivery,
    DeliveryError,
    Head,
    HeadAfter,
    LogEntry,
    NewRecord,
)
from auditpack.merkle import LogState
from auditpack.pack import READ_TYPES, LogBlock
from auditpack.records import StoredRecord


@dataclass(frozen=True)
class FakeRecord:
    index: int
    event_id: str
    ce_type: str
    recorded_at: datetime
    line: bytes
    leaf: bytes


@dataclass
class FakeLogStore:
    """Per-operator logs and heads, as the SQL store keeps them (event ids unique)."""

    records: dict[str, list[FakeRecord]] = field(default_factory=dict)
    heads: dict[str, Head] = field(default_factory=dict)

    async def lock_head(self, operator_id: str) -> Head:
        return self.heads.setdefault(operator_id, Head(LogState(0, ()), None, None))

    async def lock_heads(self, operator_ids: Sequence[str]) -> dict[str, Head]:
        return {op: await self.lock_head(op) for op in sorted(set(operator_ids))}

    async def logged(self, event_ids: Sequence[str]) -> set[str]:
        every = {r.event_id for log in self.records.values() for r in log}
        return every & set(event_ids)

    async def append_records(
        self, records: Sequence[NewRecord], heads: Mapping[str, HeadAfter]
    ) -> None:
        for r in records:
            assert r.event_id not in await self.logged([r.event_id]), "event ids are unique"
            log = self.records.setdefault(r.operator_id, [])
            assert r.index == len(log), "appends are gapless"
            log.append(FakeRecord(r.index, r.event_id, r.ce_type, r.recorded_at, r.line, r.leaf))
        for operator_id, after in heads.items():
            head = await self.lock_head(operator_id)
            self.heads[operator_id] = replace(
                head, state=after.state, last_recorded_at=after.last_recorded_at
            )

    async def seal(self, operator_id: str, until: datetime) -> int:
        head = await self.lock_head(operator_id)
        if head.sealed_until is None or head.sealed_until < until:
            self.heads[operator_id] = replace(head, sealed_until=until)
        return head.state.size

    async def first_index_at_or_after(
        self, operator_id: str, moment: datetime, *, default: int
    ) -> int:
        later = [r.index for r in self.records.get(operator_id, []) if r.recorded_at >= moment]
        return min(later, default=default)

    async def first_recorded_at(self, operator_id: str) -> datetime | None:
        log = self.records.get(operator_id, [])
        return log[0].recorded_at if log else None

    async def operators_in_log(self) -> list[str]:
        return sorted(op for op, log in self.records.items() if log)

    async def entries(
        self, operator_id: str, *, after: int, limit: int
    ) -> tuple[int, list[LogEntry]]:
        log = self.records.get(operator_id, [])
        page = [LogEntry(r.index, r.event_id, r.ce_type, r.recorded_at) for r in log[after + 1 :]]
        return len(log), page[:limit]


@dataclass
class FakeExportRuns:
    runs_by_day: dict[tuple[str, date], ExportRun] = field(default_factory=dict)

    def _new(self, operator_id: str, day: date, status: RunStatus) -> None:
        self.runs_by_day.setdefault(
            (operator_id, day),
            ExportRun(operator_id, day, status, 0, None, None, None, None, None),
        )

    async def open_run(self, operator_id: str, day: date) -> None:
        self._new(operator_id, day, RunStatus.PENDING)

    async def open_runs(self, operator_id: str) -> list[ExportRun]:
        return sorted(
            (
                run
                for (op, _), run in self.runs_by_day.items()
                if op == operator_id and run.status is not RunStatus.SUCCEEDED
            ),
            key=lambda run: run.day,
        )

    async def runs(
        self, operator_id: str, *, limit: int, before: date | None = None
    ) -> list[ExportRun]:
        mine = [
            run
            for (op, day), run in self.runs_by_day.items()
            if op == operator_id and (before is None or day < before)
        ]
        return sorted(mine, key=lambda run: run.day, reverse=True)[:limit]

    async def mark_succeeded(
        self, operator_id: str, day: date, *, attempts: int, remote_path: str, now: datetime
    ) -> None:
        run = self.runs_by_day[operator_id, day]
        self.runs_by_day[operator_id, day] = replace(
            run,
            status=RunStatus.SUCCEEDED,
            attempts=run.attempts + attempts,
            remote_path=remote_path,
            delivered_at=now,
            next_attempt_at=None,
        )

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
        run = self.runs_by_day[operator_id, day]
        failed = replace(
            run,
            status=RunStatus.FAILED,
            attempts=run.attempts + attempts,
            last_error=error,
            failure_reason=reason,
            next_attempt_at=next_attempt_at,
        )
        self.runs_by_day[operator_id, day] = failed
        return failed.attempts

    async def retry_now(self, operator_id: str, day: date, *, now: datetime) -> bool:
        run = self.runs_by_day.get((operator_id, day))
        if run is None or run.status is RunStatus.SUCCEEDED:
            return False
        self.runs_by_day[operator_id, day] = replace(run, next_attempt_at=now)
        return True


@dataclass
class FakeChainStore:
    runs: FakeExportRuns
    log: FakeLogStore
    first_days: dict[str, date] = field(default_factory=dict)
    links: dict[tuple[str, date], PackLink] = field(default_factory=dict)

    async def chain_first_day(self, operator_id: str) -> date | None:
        return self.first_days.get(operator_id)

    async def register_chain(self, operator_id: str, first_day: date, *, now: datetime) -> date:
        return self.first_days.setdefault(operator_id, first_day)

    async def link(self, operator_id: str, day: date) -> PackLink | None:
        return self.links.get((operator_id, day))

    async def last_link(self, operator_id: str) -> PackLink | None:
        mine = [link for (op, _), link in self.links.items() if op == operator_id]
        return max(mine, key=lambda link: link.day, default=None)

    async def add_link(self, built: PackLink, *, status: RunStatus) -> None:
        assert (built.operator_id, built.day) not in self.links, "a day's pack is built once"
        self.links[built.operator_id, built.day] = built
        self.runs._new(built.operator_id, built.day, status)

    async def export_states(self, operator_ids: Sequence[str]) -> dict[str, ExportState]:
        states = {}
        for op in operator_ids:
            first = self.first_days.get(op)
            newest = await self.last_link(op)
            open_runs = await self.runs.open_runs(op)
            states[op] = ExportState(
                operator_id=op,
                first_day=first,
                first_record_at=await self.log.first_recorded_at(op) if first is None else None,
                last_day=None if newest is None else newest.day,
                oldest_open=open_runs[0] if open_runs else None,
            )
        return states

    async def status_snapshot(self) -> dict[str, Any]:
        runs = self.runs.runs_by_day.values()
        return {
            "failing": sum(run.status is RunStatus.FAILED for run in runs),
            "last_success": {},
            "registered": {},
            "open_days": {},
        }


@dataclass
class FakeUnit:
    """Every store of one unit of work; all units of a test share the same state."""

    log: FakeLogStore = field(default_factory=FakeLogStore)
    runs: FakeExportRuns = field(default_factory=FakeExportRuns)
    events: RecordingEvents = field(default_factory=RecordingEvents)
    chains: FakeChainStore = field(init=False)

    def __post_init__(self) -> None:
        self.chains = FakeChainStore(self.runs, self.log)


@dataclass
class FakeUnits:
    """Opens units over one shared state; counts them (no rollback: a test failing inside a
    unit sees what it wrote)."""

    unit: FakeUnit = field(default_factory=FakeUnit)
    opened: int = 0

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[FakeUnit]:
        self.opened += 1
        yield self.unit


@dataclass
class FakeLocks:
    """Operator locks; those in `busy` are held by another replica."""

    busy: set[str] = field(default_factory=set)
    held: list[str] = field(default_factory=list)

    @asynccontextmanager
    async def hold(self, operator_id: str, *, wait: bool) -> AsyncIterator[bool]:
        if operator_id in self.busy:
            assert not wait, "a waiting holder would block forever in a unit test"
            yield False
            return
        self.held.append(operator_id)
        yield True


@dataclass
class FakeBlocks:
    """The block stream over the fake log: one block per record."""

    log: FakeLogStore

    async def blocks(
        self, operator_id: str, start: int, end: int
    ) -> AsyncGenerator[LogBlock, None]:
        for record in self.log.records.get(operator_id, [])[start:end]:
            stored = StoredRecord(record.index, record.recorded_at, record.line, record.ce_type)
            yield LogBlock(
                record.index,
                record.line + b"\n",
                record.leaf,
                record.recorded_at,
                record.recorded_at,
                [stored] if record.ce_type in READ_TYPES else [],
            )


class FakeUpload:
    def __init__(self, archive: "FakeUploader", remote_path: str, name: str) -> None:
        self._archive, self._remote_path, self._name = archive, remote_path, name
        self._buffer = io.BytesIO()

    async def write(self, data: bytes) -> None:
        self._buffer.write(data)

    async def verify(self) -> Delivery:
        data = self._buffer.getvalue()
        return Delivery(self._remote_path, len(data), hashlib.sha256(data).hexdigest())

    async def publish(self) -> None:
        self._archive.files[self._name] = self._buffer.getvalue()


@dataclass
class FakeUploader:
    """An archive keeping every published pack's bytes; fails with `failures` first."""

    files: dict[str, bytes] = field(default_factory=dict)
    failures: list[DeliveryError] = field(default_factory=list)
    tries: int = 0

    @asynccontextmanager
    async def upload(self, target: SftpTarget, name: str) -> AsyncIterator[FakeUpload]:
        self.tries += 1
        if self.failures:
            raise self.failures.pop(0)
        yield FakeUpload(self, target.remote_path(name), name)
