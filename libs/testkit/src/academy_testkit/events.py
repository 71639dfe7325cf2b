"""A fake of the runtime's event sink for handler unit tests: it records what was staged."""

from dataclasses import dataclass, field
from typing import Any

from contracts import Envelope
from contracts.base import EventData


@dataclass
class RecordingEvents:
    """Implements `academy_runtime.uow.EventSink`: records what a handler staged, in order, as
    the outbox would (with the derived id when one is given)."""

    emitted: list[Envelope[Any]] = field(default_factory=list)

    async def emit(
        self,
        data: EventData,
        *,
        tenant: str,
        subject: str | None = None,
        event_id: str | None = None,
    ) -> Envelope[Any]:
        envelope = self.envelope(data, tenant=tenant, subject=subject, event_id=event_id)
        self.emitted.append(envelope)
        return envelope

    def envelope(
        self, data: Any, *, tenant: str, subject: str | None = None, event_id: str | None = None
    ) -> Envelope[Any]:
        derived: dict[str, Any] = {} if event_id is None else {"id": event_id}
        return Envelope(
            data=data, tenantid=tenant, source="/academy/test", subject=subject, **derived
        )

    @property
    def types(self) -> list[str]:
        return [e.type for e in self.emitted]

    def of_type(self, event_type: str) -> list[Any]:
        """The data of every staged event of one type."""
        return [e.data for e in self.emitted if e.type == event_type]
