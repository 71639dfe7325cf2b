"""Base classes shared by every event and webhook model."""

from datetime import UTC, datetime
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer, StringConstraints


def _rfc3339(value: datetime) -> str:
    """UTC RFC 3339 with a trailing Z, the one timestamp form used on every wire."""
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


#: A timezone-aware timestamp, serialised as UTC RFC 3339 with `Z`.
UtcDatetime = Annotated[AwareDatetime, PlainSerializer(_rfc3339, return_type=str)]

OperatorId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
]
JurisdictionCode = Annotated[
    str, StringConstraints(min_length=2, max_length=16, pattern=r"^[A-Z][A-Z0-9_]*$")
]
Role = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]


def format_time(value: datetime) -> str:
    """Format a timestamp the way every contract does (UTC, `Z`)."""
    return _rfc3339(value)


class Model(BaseModel):
    """Strict-ish contract model: unknown fields are kept out, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EventData(Model):
    """The `data` of one CloudEvent type; subclasses name their type and topic."""

    ce_type: ClassVar[str]
    topic: ClassVar[str]

    model_config = ConfigDict(extra="ignore", frozen=True)
