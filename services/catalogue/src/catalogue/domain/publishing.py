"""Resolved content as the events of `academy.catalogue.v1` (timestamps are passed in)."""

from datetime import datetime

from catalogue.domain.resolved import (
    ResolvedCatalogue,
    ResolvedJurisdiction,
    ResolvedQuestion,
    ResolvedReleasePolicy,
    ResolvedTrack,
)
from contracts.base import EventData
from contracts.catalogue import (
    CertificationPolicy,
    ExamPolicy,
    JurisdictionAdded,
    LessonRef,
    Question,
    QuestionOption,
    ReleasePolicyPublished,
    TrackModule,
    TrackPublished,
)
from contracts.common import ReleasePolicy, RoleRequirement


def track_published(
    track: ResolvedTrack,
    *,
    jurisdiction: ResolvedJurisdiction,
    catalogue_version: str,
    published_at: datetime,
) -> TrackPublished:
    """The track with every lesson's Markdown and digest, so consumers need no second source."""
    return TrackPublished(
        track_key=track.key,
        jurisdiction=track.jurisdiction,
        role=track.role,
        version=track.version,
        catalogue_version=catalogue_version,
        title=track.title,
        modules=[
            TrackModule(
                id=module.id,
                title=module.title,
                version=module.version,
                origin=module.origin,
                lessons=[
                    LessonRef(
                        id=x.id, title=x.title, version=x.version, digest=x.digest, markdown=x.body
                    )
                    for x in module.lessons
                ],
                digest=module.digest,
            )
            for module in track.modules
        ],
        module_versions={module.id: module.version for module in track.modules},
        exam=ExamPolicy(
            question_count=track.exam.question_count,
            pass_mark=track.exam.pass_mark,
            time_limit_minutes=track.exam.time_limit_minutes,
            attempt_limit=track.exam.attempt_limit,
            cooldown_hours=track.exam.cooldown_hours,
            feedback=track.exam.feedback,
            required_modules=list(track.required_modules),
        ),
        question_pool=[_question(q) for q in track.question_pool],
        certification=CertificationPolicy(
            validity_months=track.certification.validity_months,
            recert_window_days=track.certification.recert_window_days,
        ),
        published_at=published_at,
        jurisdiction_name=jurisdiction.name,
        regulator=jurisdiction.regulator,
    )


def _question(question: ResolvedQuestion) -> Question:
    return Question(
        id=question.id,
        module_id=question.module_id,
        kind=question.kind,
        text=question.text,
        options=[QuestionOption(id=o.id, text=o.text) for o in question.options],
        correct=list(question.correct),
        explanation=question.explanation,
    )


def jurisdiction_added(
    jurisdiction: ResolvedJurisdiction, *, catalogue_version: str, added_at: datetime
) -> JurisdictionAdded:
    return JurisdictionAdded(
        jurisdiction=jurisdiction.code,
        name=jurisdiction.name,
        regulator=jurisdiction.regulator,
        roles=list(jurisdiction.roles),
        catalogue_version=catalogue_version,
        added_at=added_at,
    )


def release_policy_published(
    policy: ResolvedReleasePolicy, *, catalogue_version: str, published_at: datetime
) -> ReleasePolicyPublished:
    return ReleasePolicyPublished(
        policy=ReleasePolicy(
            jurisdiction=policy.jurisdiction,
            requirements=[
                RoleRequirement(role=role, count=count) for role, count in policy.requirements
            ],
            tooling=list(policy.tooling),
            revoke_on_lapse=policy.revoke_on_lapse,
        ),
        version=policy.version,
        catalogue_version=catalogue_version,
        published_at=published_at,
    )


def publication_events(
    catalogue: ResolvedCatalogue,
    *,
    published_at: datetime,
    previous: ResolvedCatalogue | None = None,
) -> list[EventData]:
    """The events that publishing `catalogue` after `previous` emits, in a safe order.

    New jurisdictions first, then every new or changed track, then every new or changed
    release policy (so a policy never names a role before its track exists). Unchanged parts
    emit nothing; with no previous catalogue everything is new.
    """
    version = catalogue.version
    known = {j.code: j for j in previous.jurisdictions} if previous else {}
    tracks = {t.key: t.version for t in previous.tracks} if previous else {}
    events: list[EventData] = [
        jurisdiction_added(j, catalogue_version=version, added_at=published_at)
        for j in catalogue.jurisdictions
        if j.code not in known
    ]
    events.extend(
        track_published(
            t,
            jurisdiction=catalogue.jurisdiction(t.jurisdiction),
            catalogue_version=version,
            published_at=published_at,
        )
        for t in catalogue.tracks
        if tracks.get(t.key) != t.version
    )
    events.extend(
        release_policy_published(
            j.release_policy, catalogue_version=version, published_at=published_at
        )
        for j in catalogue.jurisdictions
        if j.code not in known or known[j.code].release_policy.version != j.release_policy.version
    )
    return events
