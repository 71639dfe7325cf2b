"""A lesson as served to a staff member: the track version's text, digest and neighbours."""

from dataclasses import dataclass

from assessment.domain.errors import UnknownLesson
from contracts.catalogue import LessonRef, TrackModule, TrackPublished
from contracts.digests import lesson_digest, module_digest


@dataclass(frozen=True)
class ServedLesson:
    """One lesson of a track version, overrides applied (the catalogue resolved them)."""

    track: TrackPublished
    module: TrackModule
    lesson: LessonRef
    previous_id: str | None
    next_id: str | None

    @property
    def markdown(self) -> str:
        return served_markdown(self.lesson)

    @property
    def digest(self) -> str:
        return served_digest(self.lesson)


def served_markdown(lesson: LessonRef) -> str:
    """The lesson text; tracks published before lessons carried text serve an empty one."""
    return lesson.markdown or ""


def served_digest(lesson: LessonRef) -> str:
    """The catalogue's digest, or (tracks published before digests) that of what is served."""
    return lesson.digest or lesson_digest(served_markdown(lesson))


def served_module_digest(module: TrackModule) -> str:
    """The catalogue's module digest, or (older tracks) the one over its served lessons."""
    return module.digest or module_digest(served_digest(lesson) for lesson in module.lessons)


def find_lesson(track: TrackPublished, lesson_id: str) -> ServedLesson:
    """The lesson with its module and the lessons before and after it in the whole track."""
    order = [(m, lesson) for m in track.modules for lesson in m.lessons]
    for index, (module, lesson) in enumerate(order):
        if lesson.id == lesson_id:
            return ServedLesson(
                track=track,
                module=module,
                lesson=lesson,
                previous_id=order[index - 1][1].id if index > 0 else None,
                next_id=order[index + 1][1].id if index + 1 < len(order) else None,
            )
    raise UnknownLesson(module_id=None, lesson_id=lesson_id, track_version=track.version)


def lesson_in_module(track: TrackPublished, module_id: str, lesson_id: str) -> LessonRef:
    """A lesson of one module of the track version, or UnknownLesson naming both."""
    module = next((m for m in track.modules if m.id == module_id), None)
    lesson = (
        None if module is None else next((x for x in module.lessons if x.id == lesson_id), None)
    )
    if lesson is None:
        raise UnknownLesson(module_id=module_id, lesson_id=lesson_id, track_version=track.version)
    return lesson
