"""Events on `academy.operations.v1`: what people did to the mesh itself.

A dead letter replayed onto its original topic, or purged (acknowledged as never to be
replayed), is recorded with who did it and why. The audit export logs these in the operator's
audit log (the tenant of the dead-lettered event, or `_platform` when it had none), and
`academy dlq list` reads them back to show which dead letters are already handled.
"""

from typing import Literal

from pydantic import Field

from contracts import topics
from contracts.base import EventData, UtcDatetime


class DeadLetterHandled(EventData):
    """One dead-lettered record, handled by a person (fields both actions share)."""

    ce_type = "academy.dead_letter.handled.v1"
    topic = topics.OPERATIONS

    action: Literal["replayed", "purged"]
    actor: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=500)
    dead_letter_topic: str
    dead_letter_partition: int = Field(ge=0)
    dead_letter_offset: int = Field(ge=0)
    original_topic: str
    original_partition: int | None = Field(default=None, ge=0)
    original_offset: int | None = Field(default=None, ge=0)
    #: The dead-lettered record's CloudEvents id and type, when its headers carried them.
    event_id: str | None = None
    event_type: str | None = None
    error_type: str | None = None
    service: str | None = None
    consumer_group: str | None = None
    handler: str | None = None
    #: Where the replayed copy landed (replays only).
    replayed_partition: int | None = Field(default=None, ge=0)
    replayed_offset: int | None = Field(default=None, ge=0)
    at: UtcDatetime
