"""Typed consumer registrations: which handler acts on which CloudEvents type.

A service registers `on(CertificationIssued, on_certification_issued)` for each type it acts
on, where `async def on_certification_issued(event: Envelope[CertificationIssued], *, uow)`,
or `on_batch(models, handler)` for a handler that takes a run of events at once (the audit
log's ingest). The consumer applies a batch's events in offset order in one unit of work.
"""

import itertools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Envelope
from contracts.base import EventData
from contracts.mesh import Consumes

E = TypeVar("E", bound=EventData)
U = TypeVar("U")
U_co = TypeVar("U_co", covariant=True)
U_contra = TypeVar("U_contra", contravariant=True)


class PoisonMessage(Exception):
    """Raised by a handler for an event that can never be processed (it goes to the DLQ).

    `event_id` names the event when a batch handler raises it; `on` handlers need not (the
    consumer knows which event they were handling). The rest of the batch is applied."""

    def __init__(self, message: str, *, event_id: str | None = None) -> None:
        super().__init__(message)
        self.event_id = event_id


class EventHandler(Protocol[E, U_contra]):
    def __call__(self, event: Envelope[E], /, *, uow: U_contra) -> Awaitable[None]: ...


class BatchHandler(Protocol[U_contra]):
    def __call__(self, events: Sequence[Envelope[Any]], /, *, uow: U_contra) -> Awaitable[None]: ...


class UnitBinder(Protocol[U_co]):
    """Binds a unit of work to the consumer's transaction (`UnitsOfWork` is one)."""

    def bind(self, session: AsyncSession) -> U_co: ...


@dataclass(frozen=True, eq=False)
class Route(Generic[U]):
    """Handles the events of `models`, a run of consecutive ones at a time, in order."""

    models: tuple[type[EventData], ...]
    apply: Callable[[Sequence[Envelope[Any]], U], Awaitable[None]]


def on(model: type[E], handler: EventHandler[E, U]) -> Route[U]:
    """One handler call per event of `model`."""

    async def each(events: Sequence[Envelope[Any]], uow: U) -> None:
        for event in events:
            try:
                await handler(event, uow=uow)
            except PoisonMessage as exc:
                exc.event_id = exc.event_id or event.id
                raise

    return Route((model,), each)


def on_batch(models: Iterable[type[EventData]], handler: BatchHandler[U]) -> Route[U]:
    """One handler call per run of consecutive events of `models` (in offset order)."""

    async def run(events: Sequence[Envelope[Any]], uow: U) -> None:
        await handler(events, uow=uow)

    return Route(tuple(models), run)


class Routes(Generic[U]):
    """A consumer's routes by CloudEvents type; refuses routes that differ from `declared`."""

    def __init__(self, declared: Consumes, routes: Sequence[Route[U]]) -> None:
        self._by_type: dict[str, Route[U]] = {}
        for route in routes:
            for model in route.models:
                if model.ce_type in self._by_type:
                    raise ValueError(f"{declared.name}: two handlers for {model.ce_type}")
                self._by_type[model.ce_type] = route
        wanted = {model.ce_type for model in declared.types}
        if wanted != set(self._by_type):
            missing, extra = (
                sorted(wanted - set(self._by_type)),
                sorted(set(self._by_type) - wanted),
            )
            raise ValueError(
                f"{declared.name}: handlers differ from contracts.mesh "
                f"(declared without handler: {missing}; handled but undeclared: {extra})"
            )

    def handles(self, ce_type: str) -> bool:
        return ce_type in self._by_type

    async def apply(self, events: Sequence[Envelope[Any]], uow: U) -> None:
        """Each run of consecutive events of one route goes to it together, in order; events
        of types without a route are passed over (the consumer never hands it any)."""
        for route, run in itertools.groupby(events, key=lambda e: self._by_type.get(e.type)):
            if route is not None:
                await route.apply(list(run), uow)
