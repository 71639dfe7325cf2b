"""Training progress per staff member and track key: idempotent lesson and module completion.

A completion counts for a lesson id *and version*: when a new track version changes a lesson's
content, that lesson must be taken again; unchanged lessons carry over between versions.
Progress is kept per track key (jurisdiction x role), so each jurisdiction's training record
stands on its own even where lessons are shared with the core curriculum.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from assessment.domain.errors import UnknownLesson
from assessment.domain.timeutil import percent_floor, require_utc
from contracts.catalogue import TrackModule, TrackPublished


@dataclass(frozen=True)
class LessonCompletion:
    module_id: str
    lesson_id: str
    lesson_version: str
    track_version: str
    completed_at: datetime


@dataclass(frozen=True)
class TrackProgress:
    staff_id: str
    track_key: str
    completions: tuple[LessonCompletion, ...] = ()

    def has_completed(self, module_id: str, lesson_id: str, lesson_version: str) -> bool:
        return any(
            (c.module_id, c.lesson_id, c.lesson_version) == (module_id, lesson_id, lesson_version)
            for c in self.completions
        )

    def module_complete(self, module: TrackModule) -> bool:
        """All of the module's lessons, at their current versions, are completed."""
        return all(
            self.has_completed(module.id, lesson.id, lesson.version) for lesson in module.lessons
        )


@dataclass(frozen=True)
class CompletionOutcome:
    progress: TrackProgress
    already_completed: bool
    lesson: LessonCompletion | None
    module_completed: bool

    @property
    def message(self) -> str:
        return "already completed" if self.already_completed else "completed"


@dataclass(frozen=True)
class ProgressSummary:
    lessons_completed: int
    lessons_total: int
    modules_completed: int
    modules_total: int
    completed_module_ids: tuple[str, ...]

    @property
    def percent(self) -> int:
        """Lessons done, rounded down so 100 means really complete; an empty track is complete."""
        if self.lessons_total == 0:
            return 100
        return percent_floor(self.lessons_completed, self.lessons_total)

    @property
    def complete(self) -> bool:
        return self.modules_completed == self.modules_total


def complete_lesson(
    progress: TrackProgress,
    track: TrackPublished,
    *,
    module_id: str,
    lesson_id: str,
    now: datetime,
) -> CompletionOutcome:
    """Record a lesson; completing it again changes nothing and says "already completed".

    `module_completed` is true only for the completion that finished the module, so the
    ModuleCompleted event is emitted once per module version.
    """
    if progress.track_key != track.track_key:
        raise ValueError(f"progress is for {progress.track_key}, track is {track.track_key}")
    module = next((m for m in track.modules if m.id == module_id), None)
    lesson = (
        None if module is None else next((x for x in module.lessons if x.id == lesson_id), None)
    )
    if module is None or lesson is None:
        raise UnknownLesson(module_id=module_id, lesson_id=lesson_id, track_version=track.version)
    if progress.has_completed(module_id, lesson_id, lesson.version):
        return CompletionOutcome(
            progress=progress, already_completed=True, lesson=None, module_completed=False
        )
    record = LessonCompletion(
        module_id=module_id,
        lesson_id=lesson_id,
        lesson_version=lesson.version,
        track_version=track.version,
        completed_at=require_utc(now),
    )
    updated = replace(progress, completions=(*progress.completions, record))
    return CompletionOutcome(
        progress=updated,
        already_completed=False,
        lesson=record,
        module_completed=updated.module_complete(module),
    )


def summarise(progress: TrackProgress, track: TrackPublished) -> ProgressSummary:
    """Progress against the lessons and modules of `track` (normally its current version)."""
    lessons = [(m.id, lesson.id, lesson.version) for m in track.modules for lesson in m.lessons]
    done = [key for key in lessons if progress.has_completed(*key)]
    completed_modules = tuple(m.id for m in track.modules if progress.module_complete(m))
    return ProgressSummary(
        lessons_completed=len(done),
        lessons_total=len(lessons),
        modules_completed=len(completed_modules),
        modules_total=len(track.modules),
        completed_module_ids=completed_modules,
    )
