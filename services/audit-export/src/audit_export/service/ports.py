"""What the export handlers take besides sessions: delivery, event sink, log block stream, clock."""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from audit_export.adapters.sftp import Accept, Delivery, Produce
from audit_export.domain.pack import LogBlock
from audit_export.domain.targets import SftpTarget
from contracts import Envelope

T = TypeVar("T")
Clock = Callable[[], datetime]


class Uploader(Protocol):
    async def deliver_streamed(
        self, target: SftpTarget, *, name: str, produce: Produce[T], accept: Accept[T]
    ) -> tuple[T, Delivery]: ...


class EventSink(Protocol):
    """The transactional outbox (ServiceRuntime)."""

    def envelope(self, data: Any, *, tenant: str, subject: str | None = None) -> Envelope[Any]: ...

    async def emit(self, session: AsyncSession, *events: Envelope[Any]) -> None: ...


class BlockSource(Protocol):
    """An operator's log entries start <= index < end, as blocks, for a synchronous consumer."""

    async def consume(
        self,
        operator_id: str,
        start: int,
        end: int,
        consumer: Callable[[Iterator[LogBlock]], T],
    ) -> T: ...
