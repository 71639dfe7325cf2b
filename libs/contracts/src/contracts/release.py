"""Events on `academy.release.v1`: decisions, deliveries, breaker, support actions."""

from typing import Literal

from pydantic import Field

from contracts import topics
from contracts.base import EventData, JurisdictionCode, UtcDatetime
from contracts.common import Evidence, Override, ReleaseReason
from contracts.identifiers import OperatorId, RecordId


class ReleaseDecided(EventData):
    """The bridge decided an operator's tooling is due for release (one per release epoch)."""

    ce_type = "academy.release.decided.v1"
    topic = topics.RELEASE

    release_id: RecordId
    operator_id: OperatorId
    jurisdiction: JurisdictionCode
    tooling: list[str]
    reason: ReleaseReason
    evidence: list[Evidence]
    override: Override | None = None
    epoch: int = Field(ge=1)
    decided_at: UtcDatetime


class ReleaseDelivered(EventData):
    """The portal acknowledged a release webhook with a 2xx."""

    ce_type = "academy.release.delivered.v1"
    topic = topics.RELEASE

    release_id: RecordId
    operator_id: OperatorId
    jurisdiction: JurisdictionCode
    webhook_type: str
    status_code: int
    attempts: int = Field(ge=1)
    delivered_at: UtcDatetime


class ReleaseParked(EventData):
    """A delivery stopped retrying (permanent 4xx or retry window spent) and needs a human."""

    ce_type = "academy.release.parked.v1"
    topic = topics.RELEASE

    release_id: RecordId
    operator_id: OperatorId
    jurisdiction: JurisdictionCode
    webhook_type: str
    status_code: int | None
    error: str
    attempts: int
    parked_at: UtcDatetime


class ToolingRevocationDecided(EventData):
    """A release policy stopped being met and the jurisdiction revokes tooling on lapse."""

    ce_type = "academy.release.revocation_decided.v1"
    topic = topics.RELEASE

    revocation_id: RecordId
    release_id: RecordId | None
    operator_id: OperatorId
    jurisdiction: JurisdictionCode
    tooling: list[str]
    cause: str
    decided_at: UtcDatetime


BreakerState = Literal["closed", "open", "half_open"]


class BreakerTransitioned(EventData):
    ce_type = "academy.breaker.transitioned.v1"
    topic = topics.RELEASE

    endpoint: str
    from_state: BreakerState
    to_state: BreakerState
    cause: str
    actor: str | None = None
    reason: str | None = None
    at: UtcDatetime


class SupportActionRecorded(EventData):
    """A support or admin action taken by a human, with actor and reason."""

    ce_type = "academy.support_action.recorded.v1"
    topic = topics.RELEASE

    action: str
    actor: str
    reason: str = Field(min_length=1)
    operator_id: OperatorId | None = None
    target: str | None = None
    details: dict[str, str] = Field(default_factory=dict)
    at: UtcDatetime


__all__ = ["BreakerState", "Evidence", "Override"]
