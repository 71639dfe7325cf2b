"""Ports that service-layer handlers take, so unit tests can pass fakes."""

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Envelope


class EventSink(Protocol):
    """Wraps data in a CloudEvent and stages it in the caller's transaction (outbox)."""

    def envelope(self, data: Any, *, tenant: str, subject: str | None = None) -> Envelope[Any]: ...

    async def emit(self, session: AsyncSession, *events: Envelope[Any]) -> None: ...
