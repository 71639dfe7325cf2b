"""Training: my tracks and progress, idempotent lesson and module completion."""

from dataclasses import dataclass
from datetime import datetime

from assessment.domain import events as domain_events
from assessment.domain.assignment import assigned_tracks, check_assigned
from assessment.domain.certificates import Certificate, latest_certificate
from assessment.domain.errors import TrackNotFound, UnknownLesson
from assessment.domain.progress import ProgressSummary, TrackProgress, complete_lesson, summarise
from assessment.domain.staff import StaffMember
from assessment.service import evidence, operators
from assessment.service.ports import AssessmentUnit, stage
from assessment.service.staff import provision
from contracts.base import EventData
from contracts.catalogue import TrackPublished


@dataclass(frozen=True)
class TrackView:
    """A track's current version with one staff member's progress and certificate."""

    track: TrackPublished
    progress: TrackProgress
    summary: ProgressSummary
    certificate: Certificate | None


@dataclass(frozen=True)
class CompletionResult:
    track: TrackPublished
    newly_completed: tuple[str, ...]
    module_completed: bool
    summary: ProgressSummary

    @property
    def already_completed(self) -> bool:
        return not self.newly_completed


async def operator_jurisdictions(uow: AssessmentUnit, operator_id: str) -> list[str]:
    return await operators.get_jurisdictions(uow, operator_id) or []


async def assigned_track(
    uow: AssessmentUnit, holder: StaffMember, track_key: str
) -> TrackPublished:
    """The current version of one of the holder's tracks, or the error saying why not."""
    track = await uow.tracks.current(track_key)
    if track is None:
        raise TrackNotFound(track_key=track_key)
    jurisdictions = await operator_jurisdictions(uow, holder.operator_id)
    check_assigned(track, roles=holder.roles, jurisdictions=jurisdictions)
    return track


async def _view(uow: AssessmentUnit, holder: StaffMember, track: TrackPublished) -> TrackView:
    progress = await uow.progress.load(holder.operator_id, holder.staff_id, track.track_key)
    certs = await uow.certificates.of_holder(
        holder.operator_id, holder.staff_id, track_key=track.track_key
    )
    return TrackView(
        track=track,
        progress=progress,
        summary=summarise(progress, track),
        certificate=latest_certificate(certs, staff_id=holder.staff_id, track_key=track.track_key),
    )


async def my_tracks(
    *,
    uow: AssessmentUnit,
    identity: StaffMember,
    now: datetime,
) -> list[TrackView]:
    holder = await provision(uow=uow, identity=identity, now=now)
    jurisdictions = await operator_jurisdictions(uow, holder.operator_id)
    current = await uow.tracks.current_in(jurisdictions)
    mine = assigned_tracks(current, roles=holder.roles, jurisdictions=jurisdictions)
    return [await _view(uow, holder, track) for track in mine]


async def my_track(
    *,
    uow: AssessmentUnit,
    identity: StaffMember,
    track_key: str,
    now: datetime,
) -> TrackView:
    holder = await provision(uow=uow, identity=identity, now=now)
    track = await assigned_track(uow, holder, track_key)
    return await _view(uow, holder, track)


async def complete(
    *,
    uow: AssessmentUnit,
    identity: StaffMember,
    track_key: str,
    module_id: str,
    lesson_id: str | None,
    now: datetime,
) -> CompletionResult:
    """Complete one lesson, or every lesson of a module (`lesson_id` None); repeats are no-ops.

    Emits LessonCompleted (with the lesson's digest) per newly completed lesson and
    ModuleCompleted (with the module's digest) once, with the completion that finished the
    module; each carries the training state including that completion.
    """
    holder = await provision(uow=uow, identity=identity, now=now, lock=True)
    track = await assigned_track(uow, holder, track_key)
    module = next((m for m in track.modules if m.id == module_id), None)
    if module is None:
        raise UnknownLesson(
            module_id=module_id, lesson_id=lesson_id or "(any)", track_version=track.version
        )
    lesson_ids = [lesson_id] if lesson_id is not None else [x.id for x in module.lessons]
    found = await evidence.records(uow, holder, track_key)
    progress = found.progress
    newly: list[str] = []
    module_done = False
    for lid in lesson_ids:
        outcome = complete_lesson(progress, track, module_id=module_id, lesson_id=lid, now=now)
        progress = outcome.progress
        if outcome.lesson is None:
            continue
        await uow.progress.add(
            operator_id=holder.operator_id,
            staff_id=holder.staff_id,
            track_key=track_key,
            completion=outcome.lesson,
        )
        newly.append(lid)
        state = found.state(track, progress=progress)
        staged: list[EventData] = [
            domain_events.lesson_completed(
                outcome.lesson, staff_id=holder.staff_id, track=track, training=state
            )
        ]
        if outcome.module_completed:
            module_done = True
            staged.append(
                domain_events.module_completed(
                    outcome.lesson, staff_id=holder.staff_id, track=track, training=state
                )
            )
        await stage(uow.events, *staged, tenant=holder.operator_id, subject=holder.staff_id)
    return CompletionResult(
        track=track,
        newly_completed=tuple(newly),
        module_completed=module_done,
        summary=summarise(progress, track),
    )
