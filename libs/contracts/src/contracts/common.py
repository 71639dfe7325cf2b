"""Value objects that appear in several events and webhooks."""

from typing import Literal

from pydantic import Field

from contracts.base import JurisdictionCode, Model, Role, UtcDatetime
from contracts.identifiers import RecordId, StaffId


class Evidence(Model):
    """One certificate offered as evidence that a release policy is met."""

    certificate_id: RecordId
    staff_id: StaffId
    role: Role
    track_version: str
    passed_at: UtcDatetime
    expires_at: UtcDatetime


class Override(Model):
    """Who forced a release by hand, and why."""

    actor: str
    reason: str = Field(min_length=1)


class RoleRequirement(Model):
    """`count` staff holding `role` with a valid certificate."""

    role: Role
    count: int = Field(default=1, ge=1)


class ReleasePolicy(Model):
    """Which certified roles unlock which tooling in a jurisdiction."""

    jurisdiction: JurisdictionCode
    requirements: list[RoleRequirement] = Field(min_length=1)
    tooling: list[str] = Field(min_length=1)
    revoke_on_lapse: bool = False


ReleaseReason = Literal["certification", "manual_override"]
AttemptResult = Literal["pass", "fail"]
