"""Release webhook payloads (Standard Webhooks bodies sent to the portal)."""

from typing import Literal

from pydantic import Field

from contracts.base import JurisdictionCode, Model, Role, UtcDatetime
from contracts.common import Evidence, Override, ReleaseReason


class ToolingReleasedData(Model):
    release_id: str = Field(description="Equals the webhook-id header; stable across retries")
    operator_id: str
    jurisdiction: JurisdictionCode
    tooling: list[str]
    reason: ReleaseReason
    evidence: list[Evidence]
    override: Override | None = None


class ToolingRevokedData(Model):
    revocation_id: str = Field(description="Equals the webhook-id header")
    release_id: str | None
    operator_id: str
    jurisdiction: JurisdictionCode
    tooling: list[str]
    cause: str


class CertificationNoticeData(Model):
    notice_id: str = Field(description="Equals the webhook-id header")
    operator_id: str
    jurisdiction: JurisdictionCode
    certificate_id: str
    staff_id: str
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
