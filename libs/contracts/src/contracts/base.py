"""Base classes shared by every event and webhook model."""

from datetime import UTC, datetime
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer

# Re-exported: the identifier types have their one home in contracts.identifiers.
from contracts.identifiers import JurisdictionCode as JurisdictionCode
from contracts.identifiers import OperatorId as OperatorId
from contracts.identifiers import Role as Role


def _rfc3339(value: datetime) -> str:
    """UTC RFC 3339 with a trailing Z, the one timestamp form used on every wire."""
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


#: A timezone-aware timestamp, serialised as UTC RFC 3339 with `Z`.
UtcDatetime = Annotated[AwareDatetime, PlainSerializer(_rfc3339, return_type=str)]


def format_time(value: datetime) -> str:
    """Format a timestamp the way every contract does (UTC, `Z`)."""
    return _rfc3339(value)


class Model(BaseModel):
    """A contract value object, frozen. Unknown fields are ignored, not refused: within a `.v1`
    type fields are only ever added, so a reader built on an older release still accepts a
    newer writer's messages (tolerant reader)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class EventData(Model):
    """The `data` of one CloudEvent type; subclasses name their type and topic."""

    ce_type: ClassVar[str]
    topic: ClassVar[str]

    model_config = ConfigDict(extra="ignore", frozen=True)
