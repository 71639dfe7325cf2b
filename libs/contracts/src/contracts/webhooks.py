"""Release webhook payloads (Standard Webhooks bodies sent to the portal)."""

from typing import Literal

from pydantic import Field

from contracts.base import JurisdictionCode, Model, Role, UtcDatetime
from contracts.common import Evidence, Override, ReleaseReason
from contracts.identifiers import OperatorId, RecordId, StaffId


class ToolingReleasedData(Model):
    release_id: RecordId = Field(description="Equals the webhook-id header; stable across retries")
    operator_id: OperatorId
    jurisdiction: JurisdictionCode
    tooling: list[str]
    reason: ReleaseReason
    evidence: list[Evidence]
    override: Override | None = None


class ToolingRevokedData(Model):
    revocation_id: str = Field(description="Equals the webhook-id header")
    release_id: RecordId | None
    operator_id: OperatorId
    jurisdiction: JurisdictionCode
    tooling: list[str]
    cause: str


class CertificationNoticeData(Model):
    notice_id: str = Field(description="Equals the webhook-id header")
    operator_id: OperatorId
    jurisdiction: JurisdictionCode
    certificate_id: RecordId
    staff_id: StaffId
    role: Role
    expires_at: UtcDatetime


class ToolingReleased(Model):
    type: Literal["tooling.released.v1"] = "tooling.released.v1"
    timestamp: UtcDatetime
    data: ToolingReleasedData


class ToolingRevoked(Model):
    type: Literal["tooling.revoked.v1"] = "tooling.revoked.v1"
    timestamp: UtcDatetime
    data: ToolingRevokedData


class CertificationExpiringNotice(Model):
    type: Literal["certification.expiring.v1"] = "certification.expiring.v1"
    timestamp: UtcDatetime
    data: CertificationNoticeData


class CertificationExpiredNotice(Model):
    type: Literal["certification.expired.v1"] = "certification.expired.v1"
    timestamp: UtcDatetime
    data: CertificationNoticeData


WebhookMessage = (
    ToolingReleased | ToolingRevoked | CertificationExpiringNotice | (CertificationExpiredNotice)
)

WEBHOOK_MODELS: tuple[type[Model], ...] = (
    ToolingReleased,
    ToolingRevoked,
    CertificationExpiringNotice,
    CertificationExpiredNotice,
)
