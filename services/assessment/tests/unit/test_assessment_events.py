from datetime import timedelta

from assessment_builders import (
    T0,
    certificate,
    correct_answers,
    history,
    staff,
    started,
    track,
    untrained,
)

from assessment.domain import events
from assessment.domain.attempts import certify, submit_attempt, time_out_attempt
from assessment.domain.notices import due_notices
from assessment.domain.progress import TrackProgress, complete_lesson
from contracts.assessment import CertificationExpired, CertificationExpiring


def test_attempt_started_event_carries_seed_and_drawn_question_ids() -> None:
    attempt = started(track(), history(), at=T0)
    event = events.attempt_started(attempt, training=untrained(track()))
    assert (event.seed, event.question_ids, event.deadline) == (
        attempt.seed,
        attempt.exam.question_ids,
        attempt.deadline,
    )


def test_passed_attempt_event_references_its_certificate() -> None:
    attempt = started(track(), history(), at=T0)
    passed = submit_attempt(attempt, correct_answers(attempt.exam), now=T0 + timedelta(minutes=5))
    cert = certify(
        passed.attempt, holder=staff(), certificate_id="c1", verification_code="x", predecessor=None
    ).certificate
    event = events.attempt_submitted(
        passed.attempt, holder=staff(), certificate=cert, training=untrained(track())
    )
    assert (event.result, event.score, event.pass_mark) == ("pass", 100, 80)
    assert (event.certificate_id, event.certificate_valid_until) == ("c1", cert.expires_at)
    assert event.staff_email == "staff-1@operator.example"
    issued = events.certification_issued(cert, training=untrained(track()))
    assert (issued.attempt_id, issued.track_version, issued.recertifies) == ("att-1", "v1", None)


def test_timed_out_attempt_is_reported_as_failed_at_its_deadline() -> None:
    attempt = started(track(), history(), at=T0)
    closed = time_out_attempt(attempt, now=attempt.deadline + timedelta(minutes=5))
    event = events.attempt_submitted(
        closed, holder=staff(), certificate=None, training=untrained(track())
    )
    assert (event.result, event.score, event.submitted_at) == ("fail", 0, attempt.deadline)


def test_notice_events_carry_window_and_expiry() -> None:
    cert = certificate(passed_at=T0)
    expiring, expired = (
        events.certification_notice(n, training=None)
        for n in due_notices([cert], now=cert.expires_at)
    )
    assert isinstance(expiring, CertificationExpiring)
    assert expiring.window_opened_at == cert.recert_window_opens_at
    assert isinstance(expired, CertificationExpired)
    assert expired.expired_at == cert.expires_at


def test_lesson_and_module_events_name_the_track_version() -> None:
    tr = track(version="v3")
    outcome = complete_lesson(
        TrackProgress("staff-1", tr.track_key),
        tr,
        module_id="core-aml",
        lesson_id="core-aml-l0",
        now=T0,
    )
    assert outcome.lesson is not None
    lesson = events.lesson_completed(
        outcome.lesson, staff_id="staff-1", track=tr, training=untrained(tr)
    )
    module = events.module_completed(
        outcome.lesson, staff_id="staff-1", track=tr, training=untrained(tr)
    )
    assert (lesson.track_version, lesson.lesson_id, module.module_id) == (
        "v3",
        "core-aml-l0",
        "core-aml",
    )
