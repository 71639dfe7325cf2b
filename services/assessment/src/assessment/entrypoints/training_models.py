"""Response models of the training routes (what the portal renders)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from assessment.adapters import lesson_html
from assessment.domain.certificates import CertificateStatus
from assessment.domain.progress import ProgressSummary
from assessment.service import lessons, training
from contracts.base import UtcDatetime
from contracts.catalogue import ExamPolicy


class Me(BaseModel):
    staff_id: str = Field(examples=["00u1a2b3c4D5e6F7g8h9"])
    operator_id: str = Field(examples=["op-123"])
    name: str = Field(examples=["Ada Lovelace"])
    email: str = Field(examples=["ada@op-123.example"])
    roles: list[str] = Field(examples=[["compliance_officer"]])
    jurisdictions: list[str] = Field(
        description="where the operator is going live", examples=[["MGA", "GCB"]]
    )


class Progress(BaseModel):
    lessons_completed: int = Field(examples=[7])
    lessons_total: int = Field(examples=[12])
    modules_completed: int = Field(examples=[2])
    modules_total: int = Field(examples=[4])
    percent: int = Field(ge=0, le=100, examples=[58])
    complete: bool

    @classmethod
    def of(cls, summary: ProgressSummary) -> "Progress":
        return cls(
            lessons_completed=summary.lessons_completed,
            lessons_total=summary.lessons_total,
            modules_completed=summary.modules_completed,
            modules_total=summary.modules_total,
            percent=summary.percent,
            complete=summary.complete,
        )


class CertificateBrief(BaseModel):
    certificate_id: str
    status: CertificateStatus
    expires_at: UtcDatetime
    recert_window_opens_at: UtcDatetime


class TrackSummary(BaseModel):
    track_key: str = Field(examples=["MGA.compliance_officer"])
    jurisdiction: str = Field(examples=["MGA"])
    role: str = Field(examples=["compliance_officer"])
    title: str = Field(examples=["Malta (MGA): compliance officer"])
    version: str = Field(description="current version (new attempts use it)")
    exam: ExamPolicy
    progress: Progress
    certificate: CertificateBrief | None = Field(description="current certificate, if any")


def lesson_href(track_key: str, lesson_id: str) -> str:
    return f"/v1/me/tracks/{track_key}/lessons/{lesson_id}"


class Lesson(BaseModel):
    id: str
    title: str
    version: str
    completed: bool
    href: str = Field(
        description="the lesson's text (GET)",
        examples=["/v1/me/tracks/MGA.compliance_officer/lessons/core-aml-l1"],
    )


class LessonDetail(BaseModel):
    """One lesson of my track version, overrides applied, as Markdown and as sanitised HTML."""

    track_key: str = Field(examples=["MGA.compliance_officer"])
    track_version: str = Field(description="the version I train on (the track's current one)")
    module_id: str = Field(examples=["core-aml"])
    module_title: str = Field(examples=["Anti-money laundering essentials"])
    lesson_id: str = Field(examples=["core-aml-l1"])
    title: str = Field(examples=["What money laundering looks like in gaming"])
    version: str = Field(description="the lesson's version; completing it records this one")
    content_digest: str = Field(description="SHA-256 (hex) of `markdown` as served")
    markdown: str = Field(description="the lesson text (CommonMark)")
    html: str = Field(description="`markdown` rendered and sanitised: safe to embed as it is")
    completed: bool
    previous_lesson_id: str | None = Field(description="the lesson before, across modules")
    next_lesson_id: str | None = Field(description="the lesson after, across modules")
    previous_href: str | None
    next_href: str | None
    completion_href: str = Field(description="PUT here to complete the lesson")


class Module(BaseModel):
    id: str
    title: str
    version: str
    origin: Literal["core", "jurisdiction"]
    completed: bool
    lessons: list[Lesson]


class TrackDetail(TrackSummary):
    modules: list[Module]


class TrackList(BaseModel):
    tracks: list[TrackSummary]


class TrackProgress(BaseModel):
    track_key: str
    track_version: str
    progress: Progress


class ProgressList(BaseModel):
    tracks: list[TrackProgress]


class Completion(BaseModel):
    track_key: str = Field(examples=["MGA.compliance_officer"])
    track_version: str
    module_id: str = Field(examples=["core-aml"])
    completed_lessons: list[str] = Field(description="lessons newly completed by this call")
    already_completed: bool = Field(description="true when the call changed nothing")
    module_completed: bool = Field(description="this call finished the module")
    progress: Progress


def summary(view: training.TrackView, *, now: datetime) -> TrackSummary:
    cert = view.certificate
    return TrackSummary(
        track_key=view.track.track_key,
        jurisdiction=view.track.jurisdiction,
        role=view.track.role,
        title=view.track.title,
        version=view.track.version,
        exam=view.track.exam,
        progress=Progress.of(view.summary),
        certificate=None
        if cert is None
        else CertificateBrief(
            certificate_id=cert.certificate_id,
            status=cert.status_at(now),
            expires_at=cert.expires_at,
            recert_window_opens_at=cert.recert_window_opens_at,
        ),
    )


def detail(view: training.TrackView, *, now: datetime) -> TrackDetail:
    done = set(view.summary.completed_module_ids)
    modules = [
        Module(
            id=m.id,
            title=m.title,
            version=m.version,
            origin=m.origin,
            completed=m.id in done,
            lessons=[
                Lesson(
                    id=x.id,
                    title=x.title,
                    version=x.version,
                    completed=view.progress.has_completed(m.id, x.id, x.version),
                    href=lesson_href(view.track.track_key, x.id),
                )
                for x in m.lessons
            ],
        )
        for m in view.track.modules
    ]
    return TrackDetail(**summary(view, now=now).model_dump(), modules=modules)


def lesson_detail(view: lessons.LessonView) -> LessonDetail:
    served = view.served
    key = served.track.track_key

    def href(lesson_id: str | None) -> str | None:
        return None if lesson_id is None else lesson_href(key, lesson_id)

    return LessonDetail(
        track_key=key,
        track_version=served.track.version,
        module_id=served.module.id,
        module_title=served.module.title,
        lesson_id=served.lesson.id,
        title=served.lesson.title,
        version=served.lesson.version,
        content_digest=served.digest,
        markdown=served.markdown,
        html=lesson_html.render(served.markdown),
        completed=view.completed,
        previous_lesson_id=served.previous_id,
        next_lesson_id=served.next_id,
        previous_href=href(served.previous_id),
        next_href=href(served.next_id),
        completion_href=f"/v1/me/tracks/{key}/modules/{served.module.id}/lessons/"
        f"{served.lesson.id}/completion",
    )
