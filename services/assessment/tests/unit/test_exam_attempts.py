from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from assessment_builders import (
    T0,
    certificate,
    correct_answers,
    finished,
    history,
    staff,
    started,
    track,
)

from assessment.domain.attempts import (
    Attempt,
    AttemptRules,
    next_attempt_allowed_at,
    overdue_attempts,
    reset_attempts,
    start_attempt,
    submit_attempt,
    time_out_attempt,
)
from assessment.domain.errors import (
    AttemptAlreadyOpen,
    AttemptLimitReached,
    AttemptNotOpen,
    CooldownActive,
    RecertificationNotOpen,
    SubmissionAfterDeadline,
)


def test_started_attempt_records_seed_deadline_and_paper() -> None:
    tr = track(time_limit_minutes=45)
    result = start_attempt(history(), tr, holder=staff(), attempt_id="a1", seed=99, now=T0)
    attempt = result.attempt
    assert (attempt.seed, attempt.attempt_number, attempt.status) == (99, 1, "open")
    assert attempt.deadline == T0 + timedelta(minutes=45)
    assert attempt.track_version == "v1"
    assert [q.id for q in result.paper.questions] == attempt.exam.question_ids


def test_second_open_attempt_is_rejected() -> None:
    tr = track()
    open_attempt = started(tr, history(), at=T0)
    with pytest.raises(AttemptAlreadyOpen, match="before 2026-11-24T10:30:00Z"):
        started(tr, history(open_attempt), at=T0 + timedelta(minutes=5), attempt_id="a2")


def test_submission_after_time_limit_is_rejected() -> None:
    attempt = started(track(time_limit_minutes=30), history(), at=T0)
    late = T0 + timedelta(minutes=30, seconds=31)
    with pytest.raises(SubmissionAfterDeadline, match="ended at 2026-11-24T10:30:00Z") as caught:
        submit_attempt(attempt, correct_answers(attempt.exam), now=late)
    assert caught.value.code == "submission_after_deadline"


def test_submission_within_grace_is_accepted() -> None:
    attempt = started(track(time_limit_minutes=30), history(), at=T0)
    just_late = T0 + timedelta(minutes=30, seconds=30)
    submission = submit_attempt(attempt, correct_answers(attempt.exam), now=just_late)
    assert submission.attempt.result == "pass"


def test_grace_period_is_configurable() -> None:
    attempt = started(track(time_limit_minutes=30), history(), at=T0)
    strict = AttemptRules(submission_grace=timedelta(0))
    with pytest.raises(SubmissionAfterDeadline):
        submit_attempt(attempt, {}, now=T0 + timedelta(minutes=30, seconds=1), rules=strict)


def test_submitting_twice_is_rejected() -> None:
    attempt = finished(track(), history(), at=T0, passed=False)
    with pytest.raises(AttemptNotOpen, match="already submitted"):
        submit_attempt(attempt, {}, now=T0 + timedelta(minutes=11))


def test_cooldown_blocks_new_attempt_after_fail() -> None:
    tr = track(cooldown_hours=24)
    failed = finished(tr, history(), at=T0, passed=False, minutes=10)
    with pytest.raises(
        CooldownActive, match=r"next attempt allowed after 2026-11-25T10:10:00Z"
    ) as caught:
        started(tr, history(failed), at=T0 + timedelta(hours=5), attempt_id="a2")
    assert caught.value.retry_at == T0 + timedelta(hours=24, minutes=10)


def test_new_attempt_allowed_once_cooldown_has_passed() -> None:
    tr = track(cooldown_hours=24)
    failed = finished(tr, history(), at=T0, passed=False, minutes=10)
    later = T0 + timedelta(hours=24, minutes=10)
    attempt = started(tr, history(failed), at=later, attempt_id="a2")
    assert attempt.attempt_number == 2


def test_next_attempt_allowed_at_reports_cooldown_end() -> None:
    tr = track(cooldown_hours=1.5)
    failed = finished(tr, history(), at=T0, passed=False, minutes=10)
    assert next_attempt_allowed_at(history(failed), tr, now=T0 + timedelta(minutes=20)) == (
        T0 + timedelta(minutes=100)
    )
    assert next_attempt_allowed_at(history(), tr, now=T0) == T0


def _failed_attempts(count: int) -> tuple[list[Attempt], datetime]:
    tr = track(attempt_limit=count, cooldown_hours=0)
    attempts: list[Attempt] = []
    at = T0
    for n in range(count):
        attempts.append(finished(tr, history(*attempts), at=at, passed=False, attempt_id=f"a{n}"))
        at += timedelta(hours=1)
    return attempts, at


def test_attempt_limit_per_cycle_is_enforced() -> None:
    tr = track(attempt_limit=3, cooldown_hours=0)
    attempts, at = _failed_attempts(3)
    with pytest.raises(AttemptLimitReached, match="all 3 exam attempts") as caught:
        started(tr, history(*attempts), at=at, attempt_id="a4")
    assert "academy support" in caught.value.message


def test_support_reset_starts_a_new_cycle() -> None:
    tr = track(attempt_limit=3, cooldown_hours=24)
    attempts, at = _failed_attempts(3)
    reset = reset_attempts(history(*attempts), now=at)
    attempt = started(tr, reset, at=at, attempt_id="a4")
    assert attempt.attempt_number == 4


def test_pass_starts_a_new_cycle() -> None:
    tr = track(attempt_limit=2, cooldown_hours=0, validity_months=1, recert_window_days=60)
    failed = finished(tr, history(), at=T0, passed=False, attempt_id="a1")
    passed = finished(tr, history(failed), at=T0 + timedelta(hours=1), passed=True, attempt_id="a2")
    hist = history(failed, passed)
    assert hist.attempts_in_cycle(T0 + timedelta(hours=2), AttemptRules()) == []
    attempt = started(tr, hist, at=T0 + timedelta(hours=2), attempt_id="a3")
    assert attempt.attempt_number == 3


def test_abandoned_attempt_counts_as_timed_out_failure() -> None:
    tr = track(time_limit_minutes=30, cooldown_hours=1)
    abandoned = started(tr, history(), at=T0)
    with pytest.raises(CooldownActive, match="after 2026-11-24T11:30:00Z"):
        started(tr, history(abandoned), at=T0 + timedelta(minutes=45), attempt_id="a2")
    result = start_attempt(
        history(abandoned), tr, holder=staff(), attempt_id="a2", seed=1, now=T0 + timedelta(hours=2)
    )
    assert [a.status for a in result.timed_out] == ["timed_out"]
    assert (result.timed_out[0].score, result.timed_out[0].result) == (0, "fail")


def test_sweeper_closes_only_overdue_attempts() -> None:
    tr = track(time_limit_minutes=30)
    attempt = started(tr, history(), at=T0)
    assert overdue_attempts([attempt], now=T0 + timedelta(minutes=30, seconds=30)) == []
    late = T0 + timedelta(minutes=31)
    assert overdue_attempts([attempt], now=late) == [attempt]
    closed = time_out_attempt(attempt, now=late)
    assert (closed.status, closed.ended_at) == ("timed_out", attempt.deadline)
    with pytest.raises(ValueError, match="not overdue"):
        time_out_attempt(attempt, now=T0)


def test_valid_certificate_blocks_attempt_until_recert_window_opens() -> None:
    tr = track()
    cert = certificate(passed_at=T0)
    before_window = cert.recert_window_opens_at - timedelta(days=1)
    with pytest.raises(
        RecertificationNotOpen, match="Recertification opens on 2028-03-25T10:00:00Z"
    ):
        start_attempt(
            history(),
            tr,
            holder=staff(),
            attempt_id="a1",
            seed=1,
            now=before_window,
            current_certificate=cert,
        )
    opened = start_attempt(
        history(),
        tr,
        holder=staff(),
        attempt_id="a1",
        seed=1,
        now=cert.recert_window_opens_at,
        current_certificate=cert,
    )
    assert opened.attempt.status == "open"


def test_revoked_certificate_does_not_block_a_new_attempt() -> None:
    cert = replace(certificate(passed_at=T0), revoked_at=T0 + timedelta(days=1))
    attempt = start_attempt(
        history(),
        track(),
        holder=staff(),
        attempt_id="a1",
        seed=1,
        now=T0 + timedelta(days=2),
        current_certificate=cert,
    ).attempt
    assert attempt.status == "open"


def test_attempt_for_another_track_history_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="history is for"):
        started(track(jurisdiction="GCB"), history(), at=T0)


def test_naive_clock_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        started(track(), history(), at=datetime(2026, 11, 24, 10, 0))


def test_attempt_started_at_the_reset_instant_counts_in_the_new_cycle() -> None:
    tr = track(attempt_limit=1, cooldown_hours=0)
    reset = reset_attempts(history(), now=T0)
    failed = finished(tr, reset, at=T0, passed=False)
    with pytest.raises(AttemptLimitReached):
        started(tr, replace(reset, attempts=(failed,)), at=T0 + timedelta(hours=1), attempt_id="a2")
