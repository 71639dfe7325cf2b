"""The audit export's unit of work: its stores bound to the runtime's session and outbox."""

from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime.service import ServiceRuntime
from academy_runtime.uow import UnitOfWork, UnitsOfWork
from audit_export.adapters.chain_store import SqlChainStore, SqlExportRuns
from audit_export.adapters.log_store import SqlLogStore
from audit_export.service.ports import ChainStore, ExportRuns, LogStore


class SqlAuditUnit(UnitOfWork):
    """Implements service.ports.AuditUnit over one session (the runtime owns the transaction)."""

    def __init__(self, runtime: ServiceRuntime, session: AsyncSession) -> None:
        super().__init__(runtime, session)
        self.log: LogStore = SqlLogStore(session)
        self.chains: ChainStore = SqlChainStore(session)
        self.runs: ExportRuns = SqlExportRuns(session)


def audit_units(runtime: ServiceRuntime) -> UnitsOfWork[SqlAuditUnit]:
    """Opens audit units for the scheduler, commands and consumers (routes use `unit_of_work`)."""
    return UnitsOfWork(runtime, SqlAuditUnit)
