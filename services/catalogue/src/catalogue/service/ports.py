"""What the service layer needs from the runtime (ServiceRuntime provides both methods)."""

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Envelope


class EventOutbox(Protocol):
    """Wraps event data in CloudEvents and stages them in the caller's transaction."""

    def envelope(self, data: Any, *, tenant: str, subject: str | None = None) -> Envelope[Any]: ...

    async def emit(self, session: AsyncSession, *events: Envelope[Any]) -> None: ...
