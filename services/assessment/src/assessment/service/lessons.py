"""Lessons served from the assessment API: the staff member's track version, overrides applied.

Opening a lesson is training evidence (LessonOpened with the track version and the lesson's
digest, every time it is opened); it does not complete the lesson.
"""

from dataclasses import dataclass
from datetime import datetime

from assessment.domain import events as domain_events
from assessment.domain.lessons import ServedLesson, find_lesson
from assessment.domain.staff import StaffMember
from assessment.service import evidence
from assessment.service.ports import AssessmentUnit, stage
from assessment.service.staff import provision
from assessment.service.training import assigned_track


@dataclass(frozen=True)
class LessonView:
    served: ServedLesson
    completed: bool


async def open_lesson(
    *,
    uow: AssessmentUnit,
    identity: StaffMember,
    track_key: str,
    lesson_id: str,
    now: datetime,
) -> LessonView:
    """The lesson of the holder's current track version (the one they train on)."""
    holder = await provision(uow=uow, identity=identity, now=now)
    track = await assigned_track(uow, holder, track_key)
    served = find_lesson(track, lesson_id)
    found = await evidence.records(uow, holder, track_key)
    opened = domain_events.lesson_opened(
        served, staff_id=holder.staff_id, opened_at=now, training=found.state(track)
    )
    await stage(uow.events, opened, tenant=holder.operator_id, subject=holder.staff_id)
    lesson = served.lesson
    return LessonView(
        served=served,
        completed=found.progress.has_completed(served.module.id, lesson.id, lesson.version),
    )
