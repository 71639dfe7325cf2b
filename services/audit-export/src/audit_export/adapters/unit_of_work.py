"""The audit export's unit of work: its stores bound to the runtime's session and outbox."""

from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime.service import ServiceRuntime
from academy_runtime.uow import OutboxSink, UnitOfWork, UnitsOfWork
from audit_export.adapters.chain_store import SqlChainStore, SqlExportRuns
from audit_export.adapters.log_store import SqlLogStore
from audit_export.service.ports import AuditEvents, ChainStore, ExportRuns, LogStore
from contracts import Envelope
from contracts.base import EventData


class AuditOutboxSink(OutboxSink):
    """The runtime's outbox sink, plus staging under a deterministic event id."""

    def __init__(self, runtime: ServiceRuntime, session: AsyncSession) -> None:
        super().__init__(runtime, session)
        self._audit_runtime = runtime
        self._audit_session = session

    async def emit_as(
        self, event_id: str, data: EventData, *, tenant: str, subject: str | None = None
    ) -> Envelope[Any]:
        envelope = self._audit_runtime.envelope(data, tenant=tenant, subject=subject)
        envelope = replace(envelope, id=event_id)
        await self._audit_runtime.emit(self._audit_session, envelope)
        return envelope


class SqlAuditUnit(UnitOfWork):
    """Implements service.ports.AuditUnit over one session (the runtime owns the transaction)."""

    def __init__(self, runtime: ServiceRuntime, session: AsyncSession) -> None:
        super().__init__(runtime, session)
        self.events: AuditEvents = AuditOutboxSink(runtime, session)
        self.log: LogStore = SqlLogStore(session)
        self.chains: ChainStore = SqlChainStore(session)
        self.runs: ExportRuns = SqlExportRuns(session)


def audit_units(runtime: ServiceRuntime) -> UnitsOfWork[SqlAuditUnit]:
    """Opens audit units for the scheduler, commands and consumers (routes use `unit_of_work`)."""
    return UnitsOfWork(runtime, SqlAuditUnit)
