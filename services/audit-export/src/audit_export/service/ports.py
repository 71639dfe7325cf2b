"""What the export handlers take besides sessions: delivery, event sink, log block stream, clock."""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Protocol, TypeVar

from audit_export.adapters.sftp import Accept, Delivery, Produce
from audit_export.domain.targets import SftpTarget
from auditpack.pack import LogBlock

T = TypeVar("T")
Clock = Callable[[], datetime]


class Uploader(Protocol):
    async def deliver_streamed(
        self, target: SftpTarget, *, name: str, produce: Produce[T], accept: Accept[T]
    ) -> tuple[T, Delivery]: ...


class BlockSource(Protocol):
    """An operator's log entries start <= index < end, as blocks, for a synchronous consumer."""

    async def consume(
        self,
        operator_id: str,
        start: int,
        end: int,
        consumer: Callable[[Iterator[LogBlock]], T],
    ) -> T: ...
