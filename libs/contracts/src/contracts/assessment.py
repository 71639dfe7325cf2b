"""Events on `academy.assessment.v1`: operators, staff, training, exams, certificates."""

from pydantic import Field

from contracts import topics
from contracts.base import EventData, JurisdictionCode, Model, Role, UtcDatetime
from contracts.common import AttemptResult, ModuleCompletion, TrainingRecord
from contracts.identifiers import ContentId, OperatorId, RecordId, StaffId, TrackKey


class TrainingState(Model):
    """A staff member's standing on one track version as of the event that carries it.

    Every training, attempt and certificate event carries one, so a `training-register.csv`
    row is the state in the last such event of the period (no history outside the pack).
    """

    staff_name: str
    staff_email: str
    jurisdiction: JurisdictionCode
    regulator: str
    role: Role
    track_key: TrackKey
    track_title: str
    track_version: str
    modules_required: list[ContentId]
    modules_completed: list[ModuleCompletion]
    attempts: int = Field(ge=0, description="submitted attempts on the track so far")
    best_score: int | None = Field(default=None, ge=0, le=100)
    pass_mark: int = Field(ge=0, le=100)
    result: AttemptResult | None = Field(
        default=None, description="pass once an attempt passed, fail after failed attempts only"
    )
    certificate_id: RecordId | None = None
    certificate_valid_until: UtcDatetime | None = None

    def record(self) -> TrainingRecord:
        return TrainingRecord(
            modules_required=self.modules_required, modules_completed=self.modules_completed
        )


#: The field every training, attempt and certificate event carries (absent in older events).
TRAINING_FIELD = Field(default=None, description="the staff member's standing on the track")


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


class LessonOpened(EventData):
    """A staff member opened a lesson of their track version (training evidence)."""

    ce_type = "academy.lesson.opened.v1"
    topic = topics.ASSESSMENT

    staff_id: StaffId
    jurisdiction: JurisdictionCode
    role: Role
    track_version: str
    module_id: ContentId
    lesson_id: ContentId
    content_digest: str = Field(description="SHA-256 (hex) of the lesson as served")
    opened_at: UtcDatetime
    training: TrainingState | None = TRAINING_FIELD


class TrainingWaived(EventData):
    """Support let a staff member start an attempt without completing required modules."""

    ce_type = "academy.training.waived.v1"
    topic = topics.ASSESSMENT

    staff_id: StaffId
    jurisdiction: JurisdictionCode
    role: Role
    track_version: str
    modules_waived: list[ContentId]
    actor: str
    reason: str = Field(min_length=1)
    waived_at: UtcDatetime
    training: TrainingState | None = TRAINING_FIELD


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
    content_digest: str | None = Field(default=None, description="SHA-256 of the lesson")
    training: TrainingState | None = TRAINING_FIELD


class ModuleCompleted(EventData):
    ce_type = "academy.module.completed.v1"
    topic = topics.ASSESSMENT

    staff_id: StaffId
    jurisdiction: JurisdictionCode
    role: Role
    track_version: str
    module_id: ContentId
    completed_at: UtcDatetime
    content_digest: str | None = Field(default=None, description="the module's digest")
    training: TrainingState | None = TRAINING_FIELD


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
    training: TrainingState | None = TRAINING_FIELD


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
    training: TrainingState | None = TRAINING_FIELD


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
    training: TrainingState | None = TRAINING_FIELD


class CertificationExpiring(EventData):
    ce_type = "academy.certification.expiring.v1"
    topic = topics.ASSESSMENT

    certificate_id: RecordId
    staff_id: StaffId
    role: Role
    jurisdiction: JurisdictionCode
    expires_at: UtcDatetime
    window_opened_at: UtcDatetime
    training: TrainingState | None = TRAINING_FIELD


class CertificationExpired(EventData):
    ce_type = "academy.certification.expired.v1"
    topic = topics.ASSESSMENT

    certificate_id: RecordId
    staff_id: StaffId
    role: Role
    jurisdiction: JurisdictionCode
    expired_at: UtcDatetime
    training: TrainingState | None = TRAINING_FIELD


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
    training: TrainingState | None = TRAINING_FIELD


class AttemptsReset(EventData):
    ce_type = "academy.attempts.reset.v1"
    topic = topics.ASSESSMENT

    staff_id: StaffId
    jurisdiction: JurisdictionCode
    role: Role
    actor: str
    reason: str = Field(min_length=1)
    reset_at: UtcDatetime
    training: TrainingState | None = TRAINING_FIELD


#: Every event that carries a `TrainingState` as `training` (each is a register row's source).
TrainingCarrier = (
    LessonOpened
    | LessonCompleted
    | ModuleCompleted
    | AttemptStarted
    | AttemptSubmitted
    | CertificationIssued
    | CertificationExpiring
    | CertificationExpired
    | CertificationRevoked
    | AttemptsReset
    | TrainingWaived
)
TRAINING_CARRIERS: tuple[type[TrainingCarrier], ...] = (
    LessonOpened,
    LessonCompleted,
    ModuleCompleted,
    AttemptStarted,
    AttemptSubmitted,
    CertificationIssued,
    CertificationExpiring,
    CertificationExpired,
    CertificationRevoked,
    AttemptsReset,
    TrainingWaived,
)
