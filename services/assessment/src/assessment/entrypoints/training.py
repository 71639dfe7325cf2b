"""Staff self-service: who am I, my tracks and progress, reading and completing lessons."""

from typing import Annotated

from fastapi import APIRouter

from academy_runtime.auth import CurrentPrincipal
from assessment.entrypoints.deps import (
    BEARER,
    TrackKeyPath,
    UowDep,
    Wiring,
    WiringDep,
    id_path,
    identity,
)
from assessment.entrypoints.errors import AUTHENTICATED, error_responses
from assessment.entrypoints.training_models import (
    Completion,
    LessonDetail,
    Me,
    Progress,
    ProgressList,
    TrackDetail,
    TrackList,
    TrackProgress,
    detail,
    lesson_detail,
    summary,
)
from assessment.service import lessons, training
from assessment.service.ports import AssessmentUnit
from assessment.service.staff import provision

router = APIRouter(prefix="/v1/me", tags=["training"], dependencies=BEARER)

ModulePath = Annotated[str, id_path("core-aml")]
LessonPath = Annotated[str, id_path("core-aml-l1")]


@router.get(
    "",
    response_model=Me,
    summary="The signed-in staff member (provisioned from the token on first call)",
    responses=error_responses(401, 403),
)
async def me(principal: CurrentPrincipal, wiring: WiringDep, uow: UowDep) -> Me:
    holder = await provision(uow=uow, identity=identity(principal), now=wiring.clock())
    jurisdictions = await training.operator_jurisdictions(uow, holder.operator_id)
    return Me(
        staff_id=holder.staff_id,
        operator_id=holder.operator_id,
        name=holder.name,
        email=holder.email,
        roles=sorted(holder.roles),
        jurisdictions=jurisdictions,
    )


@router.get(
    "/tracks",
    response_model=TrackList,
    summary="My tracks: my roles x my operator's go-live jurisdictions, with progress",
    responses=error_responses(401, 403),
)
async def my_tracks(principal: CurrentPrincipal, wiring: WiringDep, uow: UowDep) -> TrackList:
    now = wiring.clock()
    views = await training.my_tracks(
        uow=uow,
        identity=identity(principal),
        now=now,
    )
    return TrackList(tracks=[summary(v, now=now) for v in views])


@router.get(
    "/progress",
    response_model=ProgressList,
    summary="My progress per track (against each track's current version)",
    responses=error_responses(401, 403),
)
async def my_progress(principal: CurrentPrincipal, wiring: WiringDep, uow: UowDep) -> ProgressList:
    views = await training.my_tracks(
        uow=uow,
        identity=identity(principal),
        now=wiring.clock(),
    )
    return ProgressList(
        tracks=[
            TrackProgress(
                track_key=v.track.track_key,
                track_version=v.track.version,
                progress=Progress.of(v.summary),
            )
            for v in views
        ]
    )


@router.get(
    "/tracks/{track_key}",
    response_model=TrackDetail,
    summary="One of my tracks with its modules, lessons and what I completed",
    responses=error_responses(*AUTHENTICATED, 404),
)
async def my_track(
    track_key: TrackKeyPath, principal: CurrentPrincipal, wiring: WiringDep, uow: UowDep
) -> TrackDetail:
    now = wiring.clock()
    view = await training.my_track(
        uow=uow,
        identity=identity(principal),
        track_key=track_key,
        now=now,
    )
    return detail(view, now=now)


@router.get(
    "/tracks/{track_key}/lessons/{lesson_id}",
    response_model=LessonDetail,
    summary="One lesson of my track version: Markdown, sanitised HTML and content digest",
    description="The lesson as the track version I train on has it, jurisdiction overrides "
    "applied. Opening is recorded (`academy.lesson.opened.v1` with the track version and the "
    "digest) but completes nothing: PUT `completion_href` for that.",
    responses=error_responses(*AUTHENTICATED, 404),
)
async def open_lesson(
    track_key: TrackKeyPath,
    lesson_id: LessonPath,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
) -> LessonDetail:
    view = await lessons.open_lesson(
        uow=uow,
        identity=identity(principal),
        track_key=track_key,
        lesson_id=lesson_id,
        now=wiring.clock(),
    )
    return lesson_detail(view)


async def _complete(
    principal: CurrentPrincipal,
    wiring: Wiring,
    uow: AssessmentUnit,
    *,
    track_key: str,
    module_id: str,
    lesson_id: str | None,
) -> Completion:
    result = await training.complete(
        uow=uow,
        identity=identity(principal),
        track_key=track_key,
        module_id=module_id,
        lesson_id=lesson_id,
        now=wiring.clock(),
    )
    return Completion(
        track_key=track_key,
        track_version=result.track.version,
        module_id=module_id,
        completed_lessons=list(result.newly_completed),
        already_completed=result.already_completed,
        module_completed=result.module_completed,
        progress=Progress.of(result.summary),
    )


@router.put(
    "/tracks/{track_key}/modules/{module_id}/lessons/{lesson_id}/completion",
    response_model=Completion,
    summary="Mark a lesson completed (idempotent: repeating it changes nothing)",
    responses=error_responses(*AUTHENTICATED, 404),
)
async def complete_lesson(
    track_key: TrackKeyPath,
    module_id: ModulePath,
    lesson_id: LessonPath,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
) -> Completion:
    return await _complete(
        principal, wiring, uow, track_key=track_key, module_id=module_id, lesson_id=lesson_id
    )


@router.put(
    "/tracks/{track_key}/modules/{module_id}/completion",
    response_model=Completion,
    summary="Mark every lesson of a module completed (idempotent)",
    responses=error_responses(*AUTHENTICATED, 404),
)
async def complete_module(
    track_key: TrackKeyPath,
    module_id: ModulePath,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
) -> Completion:
    return await _complete(
        principal, wiring, uow, track_key=track_key, module_id=module_id, lesson_id=None
    )
