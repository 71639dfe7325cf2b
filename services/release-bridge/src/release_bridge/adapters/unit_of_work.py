"""One transaction with every store bound to it, plus the outbox as the event sink."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime import db
from academy_runtime.service import ServiceRuntime
from contracts.base import EventData
from release_bridge.adapters.breaker_store import SqlBreakerStore
from release_bridge.adapters.decision_store import SqlDecisionStore
from release_bridge.adapters.delivery_store import SqlDeliveryStore
from release_bridge.adapters.orm import support_actions
from release_bridge.service.ports import (
    BreakerStore,
    DecisionStore,
    DeliveryStore,
    EventSink,
    SupportAction,
    SupportLog,
)


class OutboxSink:
    """Wraps event data in a CloudEvent and stages it in the session's outbox."""

    def __init__(self, runtime: ServiceRuntime, session: AsyncSession) -> None:
        self._runtime = runtime
        self._session = session

    async def emit(self, data: EventData, *, tenant: str, subject: str | None = None) -> None:
        envelope = self._runtime.envelope(data, tenant=tenant, subject=subject)
        await self._runtime.emit(self._session, envelope)


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


class SqlUnit:
    """Implements service.ports.Unit over one session (the caller owns the transaction)."""

    def __init__(self, runtime: ServiceRuntime, session: AsyncSession) -> None:
        self.session = session
        self.decisions: DecisionStore = SqlDecisionStore(session)
        self.deliveries: DeliveryStore = SqlDeliveryStore(session)
        self.breakers: BreakerStore = SqlBreakerStore(session)
        self.support: SupportLog = SqlSupportLog(session)
        self.events: EventSink = OutboxSink(runtime, session)


class Units:
    """Opens a committed-or-rolled-back unit of work per call."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self._runtime = runtime

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[SqlUnit]:
        async with db.transaction(self._runtime.sessions) as session:
            yield SqlUnit(self._runtime, session)

    def bind(self, session: AsyncSession) -> SqlUnit:
        """A unit over a transaction someone else opened (the idempotent consumer's)."""
        return SqlUnit(self._runtime, session)
