"""Events on `portal.events.v1`, published by the partner portal (and the reference portal)."""

from contracts import topics
from contracts.base import EventData, JurisdictionCode, UtcDatetime
from contracts.common import Evidence, Override, ReleaseReason
from contracts.identifiers import OperatorId, RecordId


class ToolingUnlocked(EventData):
    """The portal verified a `tooling.released.v1` webhook and unlocked the tooling.

    Carries the evidence it received, so an audit pack can show it without other events.
    """

    ce_type = "portal.tooling.unlocked.v1"
    topic = topics.PORTAL

    release_id: RecordId
    operator_id: OperatorId
    jurisdiction: JurisdictionCode
    tooling: list[str]
    reason: ReleaseReason
    evidence: list[Evidence]
    override: Override | None = None
    unlocked_at: UtcDatetime


class ToolingLocked(EventData):
    """The portal locked tooling again after a `tooling.revoked.v1` webhook."""

    ce_type = "portal.tooling.locked.v1"
    topic = topics.PORTAL

    revocation_id: RecordId
    operator_id: OperatorId
    jurisdiction: JurisdictionCode
    tooling: list[str]
    locked_at: UtcDatetime


class NoticeReceived(EventData):
    """The portal received a certification notice (expiring or expired)."""

    ce_type = "portal.notice.received.v1"
    topic = topics.PORTAL

    webhook_id: RecordId
    webhook_type: str
    operator_id: OperatorId
    jurisdiction: JurisdictionCode
    received_at: UtcDatetime
