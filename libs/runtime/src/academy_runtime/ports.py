"""Ports that service-layer handlers take, so unit tests can pass fakes."""

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Envelope


class EventSink(Protocol):
    """Wraps data in a CloudEvent and stages it in the caller's transaction (outbox).

    Superseded by `academy_runtime.uow.EventSink` (bound to a unit of work, no session);
    assessment and audit-export still take this one until they move to units of work.
    """

    def envelope(self, data: Any, *, tenant: str, subject: str | None = None) -> Envelope[Any]: ...

    async def emit(self, session: AsyncSession, *events: Envelope[Any]) -> None: ...
