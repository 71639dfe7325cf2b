"""Events on `academy.assessment.v1`: operators, staff, training, exams, certificates."""

from pydantic import Field

from contracts import topics
from contracts.base import EventData, JurisdictionCode, Role, UtcDatetime
from contracts.common import AttemptResult
from contracts.identifiers import ContentId, OperatorId, RecordId, StaffId


class OperatorJurisdictionsSet(EventData):
    """An admin set the jurisdictions an operator is going live in."""

    ce_type = "academy.operator.jurisdictions_set.v1"
    topic = topics.ASSESSMENT

    operator_id: OperatorId
    jurisdictions: list[JurisdictionCode]
    actor: str
    reason: str | None = None
    set_at: UtcDatetime


class StaffProvisioned(EventData):
    ce_type = "academy.staff.provisioned.v1"
    topic = topics.ASSESSMENT

    staff_id: StaffId
    email: str
    name: str
    roles: list[str]
    provisioned_at: UtcDatetime


class LessonCompleted(EventData):
    ce_type = "academy.lesson.completed.v1"
    topic = topics.ASSESSMENT

    staff_id: StaffId
    jurisdiction: JurisdictionCode
    role: Role
    track_version: str
    module_id: ContentId
    lesson_id: ContentId
    completed_at: UtcDatetime


class ModuleCompleted(EventData):
    ce_type = "academy.module.completed.v1"
    topic = topics.ASSESSMENT

    staff_id: StaffId
    jurisdiction: JurisdictionCode
    role: Role
    track_version: str
    module_id: ContentId
    completed_at: UtcDatetime


class AttemptStarted(EventData):
    ce_type = "academy.attempt.started.v1"
    topic = topics.ASSESSMENT

    attempt_id: RecordId
    staff_id: StaffId
    jurisdiction: JurisdictionCode
    role: Role
    track_version: str
    attempt_number: int = Field(ge=1)
    seed: int = Field(
        ge=0, le=2**53 - 1, description="within JSON's safe integer range (RFC 8785, I-JSON)"
    )
    question_ids: list[str]
    started_at: UtcDatetime
    deadline: UtcDatetime


class AttemptSubmitted(EventData):
    """One graded exam attempt: the source of `training-records.csv`."""

    ce_type = "academy.attempt.submitted.v1"
    topic = topics.ASSESSMENT

    attempt_id: RecordId
    staff_id: StaffId
    staff_name: str
    staff_email: str
    role: Role
    jurisdiction: JurisdictionCode
    track_version: str
    attempt_number: int = Field(ge=1)
    started_at: UtcDatetime
    submitted_at: UtcDatetime
    score: int = Field(ge=0, le=100)
    pass_mark: int = Field(ge=0, le=100)
    result: AttemptResult
    certificate_id: RecordId | None = None
    certificate_valid_until: UtcDatetime | None = None


class CertificationIssued(EventData):
    ce_type = "academy.certification.issued.v1"
    topic = topics.ASSESSMENT

    certificate_id: RecordId
    staff_id: StaffId
    staff_name: str
    role: Role
    jurisdiction: JurisdictionCode
    track_version: str
    attempt_id: RecordId
    passed_at: UtcDatetime
    expires_at: UtcDatetime
    verification_code: str
    recertifies: str | None = Field(default=None, description="Certificate this one renews")


class CertificationExpiring(EventData):
    ce_type = "academy.certification.expiring.v1"
    topic = topics.ASSESSMENT

    certificate_id: RecordId
    staff_id: StaffId
    role: Role
    jurisdiction: JurisdictionCode
    expires_at: UtcDatetime
    window_opened_at: UtcDatetime


class CertificationExpired(EventData):
    ce_type = "academy.certification.expired.v1"
    topic = topics.ASSESSMENT

    certificate_id: RecordId
    staff_id: StaffId
    role: Role
    jurisdiction: JurisdictionCode
    expired_at: UtcDatetime


class CertificationRevoked(EventData):
    ce_type = "academy.certification.revoked.v1"
    topic = topics.ASSESSMENT

    certificate_id: RecordId
    staff_id: StaffId
    role: Role
    jurisdiction: JurisdictionCode
    actor: str
    reason: str = Field(min_length=1)
    revoked_at: UtcDatetime


class AttemptsReset(EventData):
    ce_type = "academy.attempts.reset.v1"
    topic = topics.ASSESSMENT

    staff_id: StaffId
    jurisdiction: JurisdictionCode
    role: Role
    actor: str
    reason: str = Field(min_length=1)
    reset_at: UtcDatetime
