"""Ports the assessment handlers take besides a session: time, identifiers, randomness."""

import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime.ports import EventSink
from contracts.base import EventData

__all__ = ["Clock", "EventSink", "IdSource", "SystemIds", "stage"]

#: Returns the current time (timezone-aware); injected so tests control time.
Clock = Callable[[], datetime]


class IdSource(Protocol):
    """Fresh identifiers, exam seeds and verification-code entropy."""

    def new_id(self) -> str: ...

    def new_seed(self) -> int: ...

    def entropy(self, size: int) -> bytes: ...


class SystemIds:
    """UUIDs and cryptographic randomness: seeds are unpredictable to staff."""

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def new_seed(self) -> int:
        return secrets.randbits(53)  # JSON-safe (RFC 8785 / I-JSON): audit records carry it

    def entropy(self, size: int) -> bytes:
        return secrets.token_bytes(size)


async def stage(
    session: AsyncSession,
    events: EventSink,
    *data: EventData,
    tenant: str,
    subject: str | None,
) -> None:
    """Wrap event data in CloudEvents (key = tenant) and stage them in the outbox."""
    await events.emit(session, *(events.envelope(d, tenant=tenant, subject=subject) for d in data))
