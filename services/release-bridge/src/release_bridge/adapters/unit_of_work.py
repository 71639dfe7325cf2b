"""One transaction with every store bound to it; the runtime's outbox is the event sink."""

from typing import Annotated

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime.service import ServiceRuntime
from academy_runtime.uow import UnitOfWork, UnitsOfWork, unit_of_work
from release_bridge.adapters.breaker_store import SqlBreakerStore
from release_bridge.adapters.decision_store import SqlDecisionStore
from release_bridge.adapters.delivery_store import SqlDeliveryStore
from release_bridge.adapters.orm import support_actions
from release_bridge.adapters.read_models import SqlSupportReads
from release_bridge.adapters.release_history import SqlReleaseHistory
from release_bridge.service.ports import (
    BreakerStore,
    DecisionStore,
    DeliveryStore,
    SupportAction,
    SupportLog,
)
from release_bridge.service.release_status import ReleaseHistory


class SqlSupportLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, action: SupportAction) -> None:
        await self._session.execute(
            insert(support_actions).values(
                action=action.action,
                actor=action.actor,
                reason=action.reason,
                operator_id=action.operator_id,
                target=action.target,
                details=dict(action.details or {}),
                at=action.at,
            )
        )


class SqlUnit(UnitOfWork):
    """Implements service.ports.Unit over one session (the runtime's units own the transaction)."""

    def __init__(self, runtime: ServiceRuntime, session: AsyncSession) -> None:
        super().__init__(runtime, session)
        self.decisions: DecisionStore = SqlDecisionStore(session)
        self.deliveries: DeliveryStore = SqlDeliveryStore(session)
        self.breakers: BreakerStore = SqlBreakerStore(session)
        self.support: SupportLog = SqlSupportLog(session)
        #: Read models for the routes, so no route touches the session.
        self.reads = SqlSupportReads(session)
        self.history: ReleaseHistory = SqlReleaseHistory(session)


class Units(UnitsOfWork[SqlUnit]):
    """Opens a committed-or-rolled-back unit of work per call (`units.bind` for consumers)."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime, SqlUnit)


#: A route's unit of work (committed before the response is sent), the runtime's one way.
UowDep = Annotated[SqlUnit, unit_of_work(SqlUnit)]
