"""Exam start and submit handlers on fakes of their ports: what is stored and what is staged."""

from datetime import datetime, timedelta

import pytest
from assessment_builders import T0, answers_with_correct, certificate, correct_answers, staff, track
from assessment_fakes import CountingIds, FakeUnit

from assessment.domain.attempts import DEFAULT_RULES, StartedAttempt
from assessment.domain.errors import SubmissionAfterDeadline, TrainingIncomplete
from assessment.domain.staff import StaffMember
from assessment.service import exams, support, training
from contracts.catalogue import TrackPublished

KEY = "MGA.compliance_officer"
PROVISIONED = "academy.staff.provisioned.v1"
STARTED = "academy.attempt.started.v1"
SUBMITTED = "academy.attempt.submitted.v1"
ISSUED = "academy.certification.issued.v1"


def live(tr: TrackPublished) -> FakeUnit:
    """A unit where `tr` is published and `staff()`'s operator goes live in its jurisdiction."""
    uow = FakeUnit()
    uow.tracks.published.append(tr)
    uow.operators.go_lives[staff().operator_id] = [tr.jurisdiction]
    return uow


async def trained(uow: FakeUnit, tr: TrackPublished, who: StaffMember) -> None:
    for module in tr.modules:
        await training.complete(
            uow=uow, identity=who, track_key=KEY, module_id=module.id, lesson_id=None, now=T0
        )


async def start(uow: FakeUnit, who: StaffMember, ids: CountingIds) -> StartedAttempt:
    return await exams.start(
        uow=uow, identity=who, track_key=KEY, ids=ids, now=T0, rules=DEFAULT_RULES
    )


async def submit(
    uow: FakeUnit,
    started: StartedAttempt,
    ids: CountingIds,
    *,
    who: StaffMember | None = None,
    answers: dict[str, list[str]] | None = None,
    key: str = "key-00000001",
    at: datetime = T0 + timedelta(minutes=10),
) -> exams.SubmitResult:
    """`who` (default `staff()`) submits `answers` (default the correct ones) with `key` at `at`."""
    return await exams.submit(
        uow=uow,
        identity=staff() if who is None else who,
        attempt_id=started.attempt.attempt_id,
        answers=correct_answers(started.attempt.exam) if answers is None else answers,
        idempotency_key=key,
        ids=ids,
        now=at,
        rules=DEFAULT_RULES,
    )


async def test_an_exam_without_the_required_training_is_refused_naming_the_missing_modules() -> (
    None
):
    uow = live(track())

    with pytest.raises(TrainingIncomplete) as refused:
        await start(uow, staff(), CountingIds())

    assert [module_id for module_id, _ in refused.value.missing] == ["core-aml", "mga-local"]
    assert uow.attempts.records == {}
    assert STARTED not in uow.events.types


async def test_a_trained_staff_member_starts_on_the_current_version_with_their_training_state() -> (
    None
):
    tr = track(version="v2")
    uow = live(tr)
    await trained(uow, tr, staff())
    uow.events.emitted.clear()
    uow.staff.locked.clear()

    started = await start(uow, staff(), CountingIds(prefix="att"))

    assert started.attempt.track_version == "v2"
    assert list(uow.attempts.records) == [started.attempt.attempt_id]
    assert uow.staff.locked == [staff().staff_id]  # the holder's row serialises their changes
    [event] = uow.events.of_type(STARTED)
    assert event.attempt_id == started.attempt.attempt_id
    assert event.training.modules_required == ["core-aml", "mga-local"]
    assert len(event.training.modules_completed) == 2


async def test_a_waiver_lets_an_untrained_staff_member_start_the_exam() -> None:
    tr = track()
    uow = live(tr)
    uow.staff.members[(staff().operator_id, staff().staff_id)] = staff()
    await support.waive_training(
        uow=uow,
        operator_id=staff().operator_id,
        staff_id=staff().staff_id,
        track_key=KEY,
        actor="support@academy",
        reason="Trained on paper",
        now=T0,
    )

    started = await start(uow, staff(), CountingIds())

    assert started.attempt.status == "open"
    assert uow.events.types[-1] == STARTED


async def test_passing_issues_a_certificate_and_stages_submitted_then_issued() -> None:
    tr = track()
    uow = live(tr)
    await trained(uow, tr, staff())
    ids = CountingIds(prefix="rec")
    started = await start(uow, staff(), ids)
    uow.events.emitted.clear()

    result = await submit(uow, started, ids)

    assert result.outcome is not None
    assert result.outcome.result == "pass"
    assert result.outcome.certificate is not None
    [certificate] = uow.certificates.stored.values()
    assert certificate.certificate_id == result.outcome.certificate.certificate_id
    assert certificate.attempt_id == started.attempt.attempt_id
    assert uow.events.types == [SUBMITTED, ISSUED]
    [issued] = uow.events.of_type(ISSUED)
    assert issued.training.certificate_id == certificate.certificate_id


async def test_a_retry_with_the_same_key_replays_the_outcome_without_grading_again() -> None:
    tr = track()
    uow = live(tr)
    await trained(uow, tr, staff())
    ids = CountingIds()
    started = await start(uow, staff(), ids)
    answers = answers_with_correct(started.attempt.exam, 2)

    first = await submit(uow, started, ids, answers=answers)
    staged = len(uow.events.emitted)
    again = await submit(uow, started, ids, answers=answers)

    assert (first.replayed, again.replayed) == (False, True)
    assert again.outcome == first.outcome
    assert first.outcome is not None
    assert first.outcome.result == "fail"
    assert len(uow.events.emitted) == staged
    assert uow.certificates.stored == {}


async def test_a_late_submission_closes_the_attempt_as_timed_out_and_returns_the_rejection() -> (
    None
):
    tr = track(time_limit_minutes=30)
    uow = live(tr)
    await trained(uow, tr, staff())
    started = await start(uow, staff(), CountingIds())
    uow.events.emitted.clear()

    result = await submit(uow, started, CountingIds(), at=T0 + timedelta(minutes=31))

    assert isinstance(result.rejection, SubmissionAfterDeadline)
    assert uow.attempts.records[started.attempt.attempt_id].attempt.status == "timed_out"
    [submitted] = uow.events.of_type(SUBMITTED)
    assert submitted.result == "fail"
    assert uow.certificates.stored == {}


async def test_passing_in_the_recertification_window_supersedes_the_previous_certificate() -> None:
    tr = track(validity_months=18, recert_window_days=60)
    uow = live(tr)
    uow.certificates.stored["cert-1"] = certificate()
    await trained(uow, tr, staff())
    later = T0 + timedelta(days=520)  # 18 months after T0 minus less than 60 days
    ids = CountingIds(prefix="renew")
    started = await exams.start(
        uow=uow, identity=staff(), track_key=KEY, ids=ids, now=later, rules=DEFAULT_RULES
    )

    result = await submit(uow, started, ids, key="key-00000002", at=later + timedelta(minutes=5))

    assert result.outcome is not None
    assert result.outcome.certificate is not None
    renewed = uow.certificates.stored[result.outcome.certificate.certificate_id]
    previous = uow.certificates.stored["cert-1"]
    assert renewed.recertifies == "cert-1"
    assert (previous.superseded_by, previous.superseded_at) == (
        renewed.certificate_id,
        renewed.passed_at,
    )


async def test_a_submit_locks_the_holder_once_and_stores_the_name_of_the_latest_token() -> None:
    tr = track()
    uow = live(tr)
    await trained(uow, tr, staff())
    ids = CountingIds()
    started = await start(uow, staff(), ids)
    uow.events.emitted.clear()
    uow.staff.locked.clear()
    renamed = staff(name="Ada King")

    result = await submit(uow, started, ids, who=renamed)

    assert result.outcome is not None
    assert uow.staff.locked == [renamed.staff_id]
    assert uow.staff.members[(renamed.operator_id, renamed.staff_id)] == renamed
    assert uow.events.types == [SUBMITTED, ISSUED]
    assert {e.data.training.staff_name for e in uow.events.emitted} == {"Ada King"}
