"""Lesson and module completion and lesson opening on fakes of their ports."""

import pytest
from assessment_builders import T0, staff, track
from assessment_fakes import FakeUnit

from assessment.domain.errors import TrackNotAssigned
from assessment.service import lessons, training
from contracts.catalogue import TrackPublished

KEY = "MGA.compliance_officer"
LESSON_COMPLETED = "academy.lesson.completed.v1"
MODULE_COMPLETED = "academy.module.completed.v1"
LESSON_OPENED = "academy.lesson.opened.v1"


def live(tr: TrackPublished, *jurisdictions: str) -> FakeUnit:
    uow = FakeUnit()
    uow.tracks.published.append(tr)
    uow.operators.go_lives[staff().operator_id] = list(jurisdictions or [tr.jurisdiction])
    return uow


async def complete(
    uow: FakeUnit, module_id: str, lesson_id: str | None
) -> training.CompletionResult:
    return await training.complete(
        uow=uow, identity=staff(), track_key=KEY, module_id=module_id, lesson_id=lesson_id, now=T0
    )


async def test_completing_a_module_stages_each_lesson_and_the_module_once() -> None:
    uow = live(track())

    result = await complete(uow, "core-aml", None)

    assert result.newly_completed == ("core-aml-l0", "core-aml-l1")
    assert result.module_completed
    assert uow.events.types[-3:] == [LESSON_COMPLETED, LESSON_COMPLETED, MODULE_COMPLETED]
    [done] = await uow.progress.of_operator(staff().operator_id)
    assert [c.lesson_id for c in done.completions] == ["core-aml-l0", "core-aml-l1"]
    [module_event] = uow.events.of_type(MODULE_COMPLETED)
    assert [m.module_id for m in module_event.training.modules_completed] == ["core-aml"]


async def test_completing_a_lesson_again_changes_nothing_and_stages_nothing() -> None:
    uow = live(track())
    await complete(uow, "core-aml", "core-aml-l0")
    staged = len(uow.events.emitted)

    again = await complete(uow, "core-aml", "core-aml-l0")

    assert again.already_completed
    assert len(uow.events.emitted) == staged


async def test_a_track_outside_the_operators_go_live_jurisdictions_is_not_assigned() -> None:
    uow = live(track(jurisdiction="MGA"), "GCB")

    with pytest.raises(TrackNotAssigned, match="not going live in MGA"):
        await complete(uow, "core-aml", None)

    assert uow.events.of_type(LESSON_COMPLETED) == []


async def test_opening_a_lesson_is_evidence_but_completes_nothing() -> None:
    uow = live(track())

    view = await lessons.open_lesson(
        uow=uow, identity=staff(), track_key=KEY, lesson_id="core-aml-l0", now=T0
    )

    assert not view.completed
    [opened] = uow.events.of_type(LESSON_OPENED)
    assert (opened.lesson_id, opened.track_version) == ("core-aml-l0", "v1")
    assert await uow.progress.of_operator(staff().operator_id) == []
