"""The one way to open a unit of work: one session, one transaction, the outbox as event sink.

Only entrypoints open units: routes through `unit_of_work` (a FastAPI dependency), consumers
through `runtime.subscribe(declared, units, on(...))` (bound to the batch's inbox transaction),
workers and commands by calling a `UnitsOfWork`. Handlers take the unit as a port and never
see a session.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Generic, Protocol, TypeVar

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from academy_runtime import db
from academy_runtime.outbox import outbox_insert, outbox_rows
from academy_runtime.service import ServiceRuntime
from contracts import Envelope
from contracts.base import EventData


class EventSink(Protocol):
    """Stages an event in the unit's transaction; it leaves (via the outbox) only on commit.
    `event_id` gives it a derived id instead of a new one, so an event that must be emitted at
    most once (a notice, a pack's announcement after a retry) collides with its earlier copy."""

    async def emit(
        self,
        data: EventData,
        *,
        tenant: str,
        subject: str | None = None,
        event_id: str | None = None,
    ) -> Envelope[Any]: ...


#: `Session.info` key of the events a transaction emitted and has not staged yet.
_HELD = "academy.outbox.held"


class OutboxSink:
    """The event sink of every service: wraps data in a CloudEvent, stages it in the outbox.

    Events are held until the transaction commits, then staged in one insert in the order they
    were emitted (one round trip for a unit's events, whatever their number): they still leave
    only if it commits, and a failing insert (a derived id seen before) fails the commit.
    """

    def __init__(self, runtime: ServiceRuntime, session: AsyncSession) -> None:
        self._runtime = runtime
        self._session = session

    async def emit(
        self,
        data: EventData,
        *,
        tenant: str,
        subject: str | None = None,
        event_id: str | None = None,
    ) -> Envelope[Any]:
        envelope = self._runtime.envelope(data, tenant=tenant, subject=subject, event_id=event_id)
        info = self._session.info
        held: list[Envelope[Any]] | None = info.get(_HELD)
        if held is None:
            held = info[_HELD] = []
            event.listen(self._session.sync_session, "before_commit", self._stage_held)
        held.append(envelope)
        return envelope

    def _stage_held(self, session: Session) -> None:
        """Before the commit (inside it, so its failure rolls the transaction back)."""
        held = session.info.pop(_HELD, None)
        if held:
            session.execute(outbox_insert(self._runtime.outbox), outbox_rows(held))


class UnitOfWork:
    """One transaction's session and event sink; a service's subclass binds its stores to it."""

    def __init__(self, runtime: ServiceRuntime, session: AsyncSession) -> None:
        self.session = session
        self.events: EventSink = OutboxSink(runtime, session)


U = TypeVar("U", bound=UnitOfWork)
#: Binds a service's stores to one session: usually the service's UnitOfWork subclass itself.
BindUnit = Callable[[ServiceRuntime, AsyncSession], U]


class UnitsOfWork(Generic[U]):
    """Opens units of work: `async with units() as uow:` commits on success, else rolls back."""

    def __init__(self, runtime: ServiceRuntime, bind: BindUnit[U]) -> None:
        self._runtime = runtime
        self._bind = bind

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[U]:
        async with db.transaction(self._runtime.sessions) as session:
            yield self._bind(self._runtime, session)

    def bind(self, session: AsyncSession) -> U:
        """A unit over a transaction someone else opened (the consumer's, for its routes)."""
        return self._bind(self._runtime, session)


def unit_of_work(bind: BindUnit[U]) -> Any:
    """A route dependency: one unit per request from `app.state.runtime`, committed (or rolled
    back) when the route returns, before the response is sent.

    Use as `Uow = Annotated[ServiceUnit, unit_of_work(SqlServiceUnit)]`.
    """

    async def open_unit(request: Request) -> AsyncIterator[U]:
        runtime: ServiceRuntime = request.app.state.runtime
        async with UnitsOfWork(runtime, bind)() as unit:
            yield unit

    return Depends(open_unit, scope="function")
