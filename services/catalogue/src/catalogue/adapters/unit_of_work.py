"""The catalogue's unit of work: its store bound to the runtime's session and outbox sink."""

from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime.service import ServiceRuntime
from academy_runtime.uow import UnitOfWork, UnitsOfWork
from catalogue.adapters.store import SqlPublicationStore
from catalogue.service.ports import PublicationStore


class SqlCatalogueUnit(UnitOfWork):
    """Implements service.ports.CatalogueUnit over one session (the runtime owns the
    transaction)."""

    def __init__(self, runtime: ServiceRuntime, session: AsyncSession) -> None:
        super().__init__(runtime, session)
        self.publications: PublicationStore = SqlPublicationStore(session)


def catalogue_units(runtime: ServiceRuntime) -> UnitsOfWork[SqlCatalogueUnit]:
    """Opens catalogue units for commands and workers (routes use `unit_of_work`)."""
    return UnitsOfWork(runtime, SqlCatalogueUnit)
