"""Response bodies of the read API. Question banks stay out: no question text, no answers."""

from typing import Literal

from pydantic import BaseModel, Field

from catalogue.domain.history import Publication, PublicationRef, VersionSpan
from catalogue.domain.resolved import (
    Named,
    ResolvedCatalogue,
    ResolvedJurisdiction,
    ResolvedReleasePolicy,
    ResolvedTrack,
)
from contracts.base import UtcDatetime

VERSION_EXAMPLE = "c14c6e254053fec3da3eb0aff9983e3db1edfc5d3e318246fb2c060391fd8b7e"
TRACK_VERSION_EXAMPLE = "5b0d6f1c2a9e4e7f8a3b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f"
Version = str


class ToolingView(BaseModel):
    id: str = Field(examples=["mga-licensing-suite"])
    title: str = Field(examples=["Licensing tooling for Malta (MGA)"])


class RequirementView(BaseModel):
    role: str = Field(examples=["compliance_officer"])
    count: int = Field(ge=1, examples=[1], description="certified staff in this role needed")


class ReleasePolicyView(BaseModel):
    """Which certified roles unlock which tooling in one jurisdiction."""

    jurisdiction: str = Field(examples=["MGA"])
    version: Version = Field(description="content version of the policy")
    requirements: list[RequirementView]
    tooling: list[ToolingView]
    revoke_on_lapse: bool = Field(description="tooling is revoked when the policy stops being met")

    @classmethod
    def of(cls, policy: ResolvedReleasePolicy, tooling: tuple[Named, ...]) -> "ReleasePolicyView":
        titles = {t.id: t.title for t in tooling}
        return cls(
            jurisdiction=policy.jurisdiction,
            version=policy.version,
            requirements=[RequirementView(role=r, count=n) for r, n in policy.requirements],
            tooling=[ToolingView(id=t, title=titles.get(t, t)) for t in policy.tooling],
            revoke_on_lapse=policy.revoke_on_lapse,
        )


class TrackRef(BaseModel):
    track_key: str = Field(examples=["MGA.compliance_officer"])
    role: str = Field(examples=["compliance_officer"])
    title: str = Field(examples=["Malta: Compliance officer"])
    version: Version = Field(examples=[TRACK_VERSION_EXAMPLE])


class JurisdictionSummary(BaseModel):
    code: str = Field(examples=["MGA"])
    name: str = Field(examples=["Malta"])
    regulator: str = Field(examples=["Malta Gaming Authority (MGA)"])
    summary: str
    roles: list[str] = Field(examples=[["compliance_officer", "mlro"]])
    tracks: list[TrackRef]
    release_policy_version: Version

    @classmethod
    def of(cls, j: ResolvedJurisdiction, catalogue: ResolvedCatalogue) -> "JurisdictionSummary":
        return cls(
            code=j.code,
            name=j.name,
            regulator=j.regulator,
            summary=j.summary,
            roles=list(j.roles),
            tracks=[
                TrackRef(track_key=t.key, role=t.role, title=t.title, version=t.version)
                for t in catalogue.tracks
                if t.jurisdiction == j.code
            ],
            release_policy_version=j.release_policy.version,
        )


class JurisdictionList(BaseModel):
    catalogue_version: Version = Field(examples=[VERSION_EXAMPLE])
    notice: str = Field(description="status of the content, e.g. illustrative training content")
    jurisdictions: list[JurisdictionSummary]


class JurisdictionDetail(JurisdictionSummary):
    catalogue_version: Version = Field(examples=[VERSION_EXAMPLE])
    release_policy: ReleasePolicyView


class LessonView(BaseModel):
    id: str = Field(examples=["kyc-identify-and-verify"])
    title: str = Field(examples=["Identification and verification"])
    version: Version = Field(description="staff redo a lesson only when this changes")
    markdown: str = Field(description="the lesson body (Markdown), overrides applied")


class ModuleView(BaseModel):
    id: str = Field(examples=["kyc-cdd"])
    title: str = Field(examples=["KYC and customer due diligence"])
    summary: str
    version: Version = Field(description="content version as this jurisdiction teaches it")
    declared_version: str = Field(examples=["1.0.0"], description="the authors' own semver")
    origin: Literal["core", "jurisdiction"]
    question_count: int = Field(ge=0, description="questions this module adds to the exam pool")
    lessons: list[LessonView]


class ExamBlueprint(BaseModel):
    """The exam's rules and pool sizes; the questions and answers are not exposed here."""

    question_count: int = Field(examples=[30], description="questions drawn per attempt")
    pass_mark: int = Field(ge=0, le=100, examples=[80], description="percentage needed")
    time_limit_minutes: int = Field(examples=[45])
    attempt_limit: int = Field(examples=[3], description="attempts per certification cycle")
    cooldown_hours: float = Field(examples=[24], description="wait after a failed attempt")
    feedback: Literal["none", "score", "per_question"]
    required_modules: list[str] = Field(
        examples=[["aml-fundamentals", "kyc-cdd"]],
        description="modules to complete before an attempt may start, in track order "
        "(every module unless the jurisdiction or track says otherwise)",
    )
    pool_size: int = Field(examples=[42], description="questions the attempts are drawn from")
    pool_by_module: dict[str, int] = Field(examples=[{"aml-fundamentals": 8, "kyc-cdd": 8}])


class CertificationView(BaseModel):
    validity_months: int = Field(examples=[18])
    recert_window_days: int = Field(examples=[60])


class TrackView(BaseModel):
    """One role's resolved track in one jurisdiction: ordered modules and lessons, exam rules."""

    track_key: str = Field(examples=["MGA.compliance_officer"])
    jurisdiction: str = Field(examples=["MGA"])
    role: str = Field(examples=["compliance_officer"])
    title: str = Field(examples=["Malta: Compliance officer"])
    version: Version = Field(examples=[TRACK_VERSION_EXAMPLE])
    module_versions: dict[str, Version]
    modules: list[ModuleView]
    exam: ExamBlueprint
    certification: CertificationView

    @classmethod
    def of(cls, track: ResolvedTrack) -> "TrackView":
        exam = track.exam
        return cls(
            track_key=track.key,
            jurisdiction=track.jurisdiction,
            role=track.role,
            title=track.title,
            version=track.version,
            module_versions={m.id: m.version for m in track.modules},
            modules=[
                ModuleView(
                    id=m.id,
                    title=m.title,
                    summary=m.summary,
                    version=m.version,
                    declared_version=m.declared_version,
                    origin=m.origin,
                    question_count=len(m.questions),
                    lessons=[
                        LessonView(id=x.id, title=x.title, version=x.version, markdown=x.body)
                        for x in m.lessons
                    ],
                )
                for m in track.modules
            ],
            exam=ExamBlueprint(
                question_count=exam.question_count,
                pass_mark=exam.pass_mark,
                time_limit_minutes=exam.time_limit_minutes,
                attempt_limit=exam.attempt_limit,
                cooldown_hours=float(exam.cooldown_hours),
                feedback=exam.feedback,
                required_modules=list(track.required_modules),
                pool_size=len(track.question_pool),
                pool_by_module={m.id: len(m.questions) for m in track.modules},
            ),
            certification=CertificationView(
                validity_months=track.certification.validity_months,
                recert_window_days=track.certification.recert_window_days,
            ),
        )


class PublicationRefView(BaseModel):
    publication: int = Field(ge=1, examples=[3], description="publication number (1, 2, 3…)")
    catalogue_version: Version = Field(examples=[VERSION_EXAMPLE])
    published_at: UtcDatetime

    @classmethod
    def of(cls, ref: PublicationRef) -> "PublicationRefView":
        return cls(
            publication=ref.seq,
            catalogue_version=ref.catalogue_version,
            published_at=ref.published_at,
        )


class VersionEntry(BaseModel):
    version: Version = Field(examples=[TRACK_VERSION_EXAMPLE])
    first_published: PublicationRefView
    last_published: PublicationRefView = Field(description="latest publication containing it")
    current: bool = Field(description="the latest publication contains this version")


class TrackHistory(BaseModel):
    track_key: str = Field(examples=["MGA.compliance_officer"])
    versions: list[VersionEntry] = Field(description="oldest first")


class ModuleVersionEntry(VersionEntry):
    declared_version: str = Field(examples=["1.1.0"])
    title: str = Field(examples=["KYC and customer due diligence"])
    origin: Literal["core", "jurisdiction"]
    jurisdictions: list[str] = Field(
        examples=[["GCB", "GSC"]], description="jurisdictions that taught this version"
    )


class ModuleHistory(BaseModel):
    module_id: str = Field(examples=["kyc-cdd"])
    jurisdiction: str | None = Field(examples=["MGA"], description="the filter, if one was given")
    versions: list[ModuleVersionEntry] = Field(description="oldest first")


class ReleasePolicyList(BaseModel):
    catalogue_version: Version = Field(examples=[VERSION_EXAMPLE])
    policies: list[ReleasePolicyView]


class PublicationView(PublicationRefView):
    previous_version: Version | None = Field(description="null for the first publication")
    events: int = Field(ge=0, examples=[5], description="events emitted on academy.catalogue.v1")
    changes: int = Field(ge=0, examples=[7], description="entries in the diff to the previous")

    @classmethod
    def of_publication(cls, p: Publication) -> "PublicationView":
        return cls(
            publication=p.seq,
            catalogue_version=p.version,
            published_at=p.ref.published_at,
            previous_version=p.previous_version,
            events=len(p.event_ids),
            changes=p.change_count,
        )


class PublicationList(BaseModel):
    latest: int = Field(examples=[3], description="number of the latest publication")
    publications: list[PublicationView] = Field(description="newest first")


def span_entry(span: VersionSpan) -> VersionEntry:
    return VersionEntry(
        version=span.version,
        first_published=PublicationRefView.of(span.first),
        last_published=PublicationRefView.of(span.last),
        current=span.current,
    )


def module_span_entry(span: VersionSpan) -> ModuleVersionEntry:
    return ModuleVersionEntry(
        version=span.version,
        first_published=PublicationRefView.of(span.first),
        last_published=PublicationRefView.of(span.last),
        current=span.current,
        declared_version=span.declared_version,
        title=span.title,
        origin="core" if span.origin == "core" else "jurisdiction",
        jurisdictions=list(span.jurisdictions),
    )
