from datetime import timedelta

import pytest
from assessment_builders import T0, module, track

from assessment.domain.errors import UnknownLesson
from assessment.domain.progress import TrackProgress, complete_lesson, summarise
from contracts.catalogue import LessonRef, TrackModule


def _fresh() -> TrackProgress:
    return TrackProgress(staff_id="staff-1", track_key="MGA.compliance_officer")


def test_completing_a_lesson_twice_reports_already_completed() -> None:
    tr = track()
    first = complete_lesson(_fresh(), tr, module_id="core-aml", lesson_id="core-aml-l0", now=T0)
    again = complete_lesson(
        first.progress, tr, module_id="core-aml", lesson_id="core-aml-l0", now=T0 + timedelta(1)
    )
    assert (first.already_completed, first.message) == (False, "completed")
    assert (again.already_completed, again.message) == (True, "already completed")
    assert again.progress == first.progress
    assert again.lesson is None


def test_module_is_complete_when_all_its_lessons_are() -> None:
    tr = track(modules=[module("core-aml", lessons=2)])
    step = complete_lesson(_fresh(), tr, module_id="core-aml", lesson_id="core-aml-l0", now=T0)
    assert not step.module_completed
    done = complete_lesson(step.progress, tr, module_id="core-aml", lesson_id="core-aml-l1", now=T0)
    assert done.module_completed
    assert done.progress.module_complete(tr.modules[0])


def test_module_completion_is_reported_only_once() -> None:
    tr = track(modules=[module("core-aml", lessons=1)])
    done = complete_lesson(_fresh(), tr, module_id="core-aml", lesson_id="core-aml-l0", now=T0)
    again = complete_lesson(
        done.progress, tr, module_id="core-aml", lesson_id="core-aml-l0", now=T0
    )
    assert (done.module_completed, again.module_completed) == (True, False)


def test_progress_percentage_counts_lessons_of_the_track_rounded_down() -> None:
    tr = track(modules=[module("a", lessons=2), module("b", lessons=1)])
    progress = _fresh()
    for module_id, lesson_id in [("a", "a-l0"), ("a", "a-l1")]:
        progress = complete_lesson(
            progress, tr, module_id=module_id, lesson_id=lesson_id, now=T0
        ).progress
    summary = summarise(progress, tr)
    assert (summary.lessons_completed, summary.lessons_total, summary.percent) == (2, 3, 66)
    assert (summary.modules_completed, summary.modules_total) == (1, 2)
    assert summary.completed_module_ids == ("a",)
    assert not summary.complete


def test_changed_lesson_version_must_be_taken_again() -> None:
    v1 = track(version="v1", modules=[module("a", lessons=1)])
    progress = complete_lesson(_fresh(), v1, module_id="a", lesson_id="a-l0", now=T0).progress
    changed = TrackModule(
        id="a",
        title="A",
        version="m2",
        origin="core",
        lessons=[LessonRef(id="a-l0", title="Lesson 0", version="2")],
    )
    v2 = track(version="v2", modules=[changed])
    assert summarise(progress, v1).percent == 100
    assert summarise(progress, v2).percent == 0
    redo = complete_lesson(progress, v2, module_id="a", lesson_id="a-l0", now=T0)
    assert not redo.already_completed
    assert redo.lesson is not None
    assert redo.lesson.track_version == "v2"


def test_unknown_lesson_is_rejected() -> None:
    with pytest.raises(UnknownLesson, match="Reload the training page"):
        complete_lesson(_fresh(), track(), module_id="core-aml", lesson_id="nope", now=T0)
    with pytest.raises(UnknownLesson):
        complete_lesson(_fresh(), track(), module_id="nope", lesson_id="core-aml-l0", now=T0)


def test_track_without_lessons_counts_as_complete() -> None:
    summary = summarise(_fresh(), track(modules=[module("a", lessons=0)]))
    assert (summary.percent, summary.complete) == (100, True)
