"""Events on `academy.catalogue.v1`: resolved tracks and release policies."""

from typing import Literal

from pydantic import Field

from contracts import topics
from contracts.base import EventData, JurisdictionCode, Model, Role, UtcDatetime
from contracts.common import ReleasePolicy
from contracts.identifiers import ContentId, TrackKey


class LessonRef(Model):
    id: ContentId
    title: str
    version: str
    digest: str | None = Field(
        default=None,
        description="SHA-256 (hex) of `markdown`: the lesson as served, overrides applied",
    )
    markdown: str | None = Field(default=None, description="the lesson text (CommonMark)")


class TrackModule(Model):
    id: ContentId
    title: str
    version: str
    origin: Literal["core", "jurisdiction"]
    lessons: list[LessonRef]
    digest: str | None = Field(
        default=None,
        description="SHA-256 (hex) over the module's lesson digests in order, one per line",
    )


class QuestionOption(Model):
    id: str
    text: str


class Question(Model):
    """A question with its answer key; only services that grade ever see this model."""

    id: str
    module_id: ContentId
    kind: Literal["single", "multiple"]
    text: str
    options: list[QuestionOption] = Field(min_length=2)
    correct: list[str] = Field(min_length=1)
    explanation: str


class ExamPolicy(Model):
    question_count: int = Field(ge=1)
    pass_mark: int = Field(ge=0, le=100, description="Percentage of correct answers needed")
    time_limit_minutes: int = Field(ge=1)
    attempt_limit: int = Field(ge=1, description="Attempts per certification cycle")
    cooldown_hours: float = Field(ge=0, description="Wait after a failed attempt")
    feedback: Literal["none", "score", "per_question"] = "score"
    required_modules: list[ContentId] | None = Field(
        default=None,
        description="modules to complete before an attempt may start; null: every module",
    )


class CertificationPolicy(Model):
    validity_months: int = Field(default=18, ge=1)
    recert_window_days: int = Field(default=60, ge=0)


class TrackPublished(EventData):
    """A resolved track (jurisdiction x role) at a new content-addressed version."""

    ce_type = "academy.track.published.v1"
    topic = topics.CATALOGUE

    track_key: TrackKey = Field(description="'{jurisdiction}.{role}', stable across versions")
    jurisdiction: JurisdictionCode
    role: Role
    version: str
    catalogue_version: str
    title: str
    modules: list[TrackModule]
    module_versions: dict[str, str]
    exam: ExamPolicy
    question_pool: list[Question]
    certification: CertificationPolicy
    published_at: UtcDatetime
    jurisdiction_name: str | None = Field(default=None, examples=["Isle of Man"])
    regulator: str | None = Field(
        default=None, examples=["Isle of Man Gambling Supervision Commission (GSC)"]
    )


class JurisdictionAdded(EventData):
    """A jurisdiction appeared in the catalogue for the first time."""

    ce_type = "academy.jurisdiction.added.v1"
    topic = topics.CATALOGUE

    jurisdiction: JurisdictionCode
    name: str
    regulator: str
    roles: list[Role]
    catalogue_version: str
    added_at: UtcDatetime


class ReleasePolicyPublished(EventData):
    """A jurisdiction's release policy at a new catalogue version."""

    ce_type = "academy.release_policy.published.v1"
    topic = topics.CATALOGUE

    policy: ReleasePolicy
    version: str
    catalogue_version: str
    published_at: UtcDatetime


def track_key(jurisdiction: str, role: str) -> str:
    return f"{jurisdiction}.{role}"
