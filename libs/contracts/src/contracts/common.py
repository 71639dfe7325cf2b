"""Value objects that appear in several events and webhooks."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from contracts.base import JurisdictionCode, Model, Role, UtcDatetime
from contracts.identifiers import ContentId, RecordId, StaffId


class ModuleCompletion(Model):
    """A module of a track version, completed (every lesson of it) at a time."""

    module_id: ContentId
    completed_at: UtcDatetime


class TrainingRecord(Model):
    """What a track version required before an exam, and what the holder had completed.

    Waived modules are required and not completed: a waiver lets an attempt start, it does not
    make the training complete.
    """

    modules_required: list[ContentId]
    modules_completed: list[ModuleCompletion]

    def complete_by(self, moment: datetime) -> bool:
        """Every required module was completed no later than `moment`."""
        done = {c.module_id for c in self.modules_completed if c.completed_at <= moment}
        return set(self.modules_required) <= done


class Evidence(Model):
    """One certificate offered as evidence that a release policy is met."""

    certificate_id: RecordId
    staff_id: StaffId
    role: Role
    track_version: str
    passed_at: UtcDatetime
    expires_at: UtcDatetime
    training: TrainingRecord | None = Field(
        default=None,
        description="the training behind the certificate when it was issued; absent for "
        "certificates issued before training was recorded",
    )


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
