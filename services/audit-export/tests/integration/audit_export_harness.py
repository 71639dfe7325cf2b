"""The audit-export service under test: wiring on the test run's Postgres, a clock, builders."""

import hashlib
import io
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select

from academy_runtime.service import ServiceRuntime
from audit_export.adapters import chain_store
from audit_export.adapters.orm import audit_log, outbox
from audit_export.adapters.unit_of_work import audit_units
from audit_export.domain.chain import ExportRun
from audit_export.domain.targets import SftpTarget
from audit_export.entrypoints.deps import Wiring
from audit_export.service import ingest
from audit_export.service.exports import PassReport, run_pass
from audit_export.service.ports import Delivery, DeliveryError
from contracts import Envelope, decode
from contracts.assessment import (
    AttemptSubmitted,
    LessonCompleted,
    LessonOpened,
    TrainingState,
    TrainingWaived,
)
from contracts.base import EventData
from contracts.common import Evidence, ModuleCompletion
from contracts.portal import ToolingUnlocked

#: Test time starts years ahead, far from any real scheduler sharing a database.
T0 = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)
DAY0 = T0.date()


@dataclass
class FakeClock:
    """A controllable clock for the service: tests move time instead of waiting."""

    now: datetime = field(default=T0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


def new_operator() -> str:
    return f"op-{uuid.uuid4().hex[:10]}"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def training_state(
    jurisdiction: str = "MGA", *, completed: Sequence[tuple[str, datetime]] = (), attempts: int = 0
) -> TrainingState:
    """Ana Borg's standing on the jurisdiction's compliance officer track."""
    return TrainingState(
        staff_name="Ana Borg",
        staff_email="ana@example.test",
        jurisdiction=jurisdiction,
        regulator=f"{jurisdiction} regulator",
        role="compliance_officer",
        track_key=f"{jurisdiction}.compliance_officer",
        track_title=f"{jurisdiction}: compliance officer",
        track_version=f"{jurisdiction.lower()}-2031.1",
        modules_required=["core-aml", "local-rules"],
        modules_completed=[ModuleCompletion(module_id=m, completed_at=t) for m, t in completed],
        attempts=attempts,
        pass_mark=80,
    )


def lesson(
    when: datetime,
    staff: str = "staff-1",
    jurisdiction: str = "MGA",
    *,
    state: TrainingState | None = None,
) -> LessonCompleted:
    return LessonCompleted(
        staff_id=staff,
        jurisdiction=jurisdiction,
        role="compliance_officer",
        track_version=f"{jurisdiction.lower()}-2031.1",
        module_id="core-aml",
        lesson_id="core-aml-1",
        completed_at=when,
        training=state,
    )


def lesson_opened(when: datetime, staff: str = "staff-1") -> LessonOpened:
    return LessonOpened(
        staff_id=staff,
        jurisdiction="MGA",
        role="compliance_officer",
        track_version="mga-2031.1",
        module_id="core-aml",
        lesson_id="core-aml-1",
        content_digest=hashlib.sha256(b"core-aml-1").hexdigest(),
        opened_at=when,
        training=training_state(),
    )


def training_waived(when: datetime, staff: str = "staff-1") -> TrainingWaived:
    return TrainingWaived(
        staff_id=staff,
        jurisdiction="MGA",
        role="compliance_officer",
        track_version="mga-2031.1",
        modules_waived=["local-rules"],
        actor="support@vendor.example",
        reason="trained elsewhere (ticket 42)",
        waived_at=when,
        training=training_state(completed=[("core-aml", when)]),
    )


def attempt(when: datetime, *, number: int, jurisdiction: str = "MGA") -> AttemptSubmitted:
    return AttemptSubmitted(
        attempt_id=f"att-{uuid.uuid4().hex[:8]}",
        staff_id="staff-1",
        staff_name="Ana Borg",
        staff_email="ana@example.test",
        role="compliance_officer",
        jurisdiction=jurisdiction,
        track_version=f"{jurisdiction.lower()}-2031.1",
        attempt_number=number,
        started_at=when - timedelta(minutes=30),
        submitted_at=when,
        score=92,
        pass_mark=80,
        result="pass",
        certificate_id=f"cert-{number}",
        certificate_valid_until=when + timedelta(days=548),
    )


def unlocked(operator_id: str, when: datetime, passed_at: datetime) -> ToolingUnlocked:
    return ToolingUnlocked(
        release_id=f"rel-{uuid.uuid4().hex[:8]}",
        operator_id=operator_id,
        jurisdiction="MGA",
        tooling=["mga-licensing-suite"],
        reason="certification",
        evidence=[
            Evidence(
                certificate_id="cert-1",
                staff_id="staff-1",
                role="compliance_officer",
                track_version="mga-2031.1",
                passed_at=passed_at,
                expires_at=passed_at + timedelta(days=548),
            )
        ],
        unlocked_at=when,
    )


def envelope(operator_id: str, data: EventData, **over: Any) -> Envelope[Any]:
    fields: dict[str, Any] = {"data": data, "tenantid": operator_id, "source": "/academy/test"}
    fields.update(over)
    return Envelope(**fields)


def signing_keys_json(key_file: Path) -> str:
    return json.dumps(
        [{"key_id": "test-2031", "valid_from": "2020-01-01T00:00:00Z", "path": str(key_file)}]
    )


def target_json(target: SftpTarget) -> dict[str, Any]:
    return target.model_dump(mode="json", exclude_none=True)


class RecordingUploader:
    """A fake archive: keeps every published pack's bytes; can be told to fail."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.calls: list[str] = []
        self.failures: list[DeliveryError] = []

    @asynccontextmanager
    async def upload(self, target: SftpTarget, name: str) -> AsyncIterator["RecordingUpload"]:
        self.calls.append(name)
        if self.failures:
            raise self.failures.pop(0)
        yield RecordingUpload(self, target.remote_path(name), name)


class RecordingUpload:
    """One pack going into the fake archive, kept only once published."""

    def __init__(self, archive: RecordingUploader, remote_path: str, name: str) -> None:
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
class Harness:
    app: FastAPI
    runtime: ServiceRuntime
    clock: FakeClock

    @property
    def wiring(self) -> Wiring:
        wiring: Wiring = self.app.state.audit_export
        return wiring

    async def ingest(self, *envelopes: Envelope[Any], at_time: datetime | None = None) -> None:
        """Append events one transaction each (as a batch of one), at `at_time`."""
        if at_time is not None:
            self.clock.set(at_time)
        units = audit_units(self.runtime)
        for item in envelopes:
            async with units() as uow:
                await ingest.append(item, uow, clock=self.clock, observer=self.wiring.metrics)

    async def run_pass(self, *operators: str) -> PassReport:
        return await run_pass(self.wiring.exporter, list(operators))

    async def runs(self, operator_id: str) -> list[ExportRun]:
        async with self.runtime.sessions() as session:
            return list(reversed(await chain_store.runs(session, operator_id, limit=400)))

    async def log_size(self, operator_id: str) -> int:
        async with self.runtime.sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(audit_log)
                .where(audit_log.c.operator_id == operator_id)
            )
            return int(count or 0)

    async def events(self, operator_id: str, *types: str) -> list[Envelope[Any]]:
        """Events staged in the outbox for an operator, oldest first."""
        async with self.runtime.sessions() as session:
            rows = await session.execute(
                select(outbox.c.headers, outbox.c.payload)
                .where(outbox.c.key == operator_id)
                .order_by(outbox.c.id)
            )
            found = [decode(row.headers, row.payload) for row in rows]
        return [e for e in found if not types or e.type in types]


def names(runs: Sequence[ExportRun]) -> list[tuple[str, str]]:
    return [(run.day.isoformat(), run.status.value) for run in runs]
