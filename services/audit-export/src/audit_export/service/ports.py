"""What the export handlers take besides sessions: delivery, log block stream, clock."""

from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from audit_export.domain.targets import SftpTarget
from auditpack.pack import LogBlock

Clock = Callable[[], datetime]


class DeliveryError(Exception):
    """A failed delivery; `reason` is a short stable label (metrics), the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Delivery:
    """A pack verified in the archive: where, how many bytes, their SHA-256."""

    remote_path: str
    size: int
    sha256: str


class PackSink(Protocol):
    """Where a pack's bytes go as they are built."""

    async def write(self, data: bytes) -> None: ...


class Upload(PackSink, Protocol):
    """A pack going into an archive under a temporary name until it is published."""

    async def verify(self) -> Delivery: ...

    async def publish(self) -> None: ...


class Uploader(Protocol):
    def upload(self, target: SftpTarget, name: str) -> AbstractAsyncContextManager[Upload]: ...


class BlockSource(Protocol):
    """An operator's log entries start <= index < end, as blocks, in order (close it when
    leaving early: `contextlib.aclosing`)."""

    def blocks(self, operator_id: str, start: int, end: int) -> AsyncGenerator[LogBlock, None]: ...
