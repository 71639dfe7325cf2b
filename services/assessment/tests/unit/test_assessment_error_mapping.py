"""Domain errors become 4xx bodies that say what to fix, with Retry-After when waiting helps."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from assessment.domain import errors
from assessment.entrypoints.errors import STATUS_BY_CODE, error_response

NOW = datetime(2031, 11, 24, 9, 0, tzinfo=UTC)


def _all_error_classes() -> list[type[errors.AssessmentError]]:
    found, todo = [], [errors.AssessmentError]
    while todo:
        cls = todo.pop()
        subclasses = cls.__subclasses__()
        found.extend(subclasses)
        todo.extend(subclasses)
    return found


def test_every_domain_error_has_a_4xx_status() -> None:
    codes = {cls.code for cls in _all_error_classes()}
    assert codes == set(STATUS_BY_CODE)
    assert all(400 <= status < 500 for status in STATUS_BY_CODE.values())


def test_a_cooldown_is_a_429_with_retry_after_in_whole_seconds() -> None:
    error = errors.CooldownActive(next_allowed_at=NOW + timedelta(minutes=90, milliseconds=1))
    response = error_response(error, now=NOW)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(90 * 60 + 1)
    body = json.loads(response.body)
    assert body["error"] == "attempt_cooldown"
    assert body["retry_at"] == "2031-11-24T10:30:00.001000Z"
    assert "next attempt allowed after" in body["detail"]


def test_an_open_attempt_conflict_names_the_attempt_to_resume() -> None:
    error = errors.AttemptAlreadyOpen(attempt_id="att-7", deadline=NOW + timedelta(minutes=5))
    response = error_response(error, now=NOW)
    body = json.loads(response.body)
    assert (response.status_code, body["attempt_id"]) == (409, "att-7")
    assert response.headers["Retry-After"] == "300"


def test_a_retry_time_in_the_past_still_sends_a_positive_retry_after() -> None:
    error = errors.CooldownActive(next_allowed_at=NOW - timedelta(seconds=5))
    assert error_response(error, now=NOW).headers["Retry-After"] == "1"


def test_errors_without_a_retry_time_send_no_retry_after() -> None:
    response = error_response(errors.AttemptLimitReached(limit=3), now=NOW)
    assert response.status_code == 409
    assert "retry-after" not in response.headers
    assert "academy support" in json.loads(response.body)["detail"]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidAnswers([("q1", "question q1 is not on this paper")]), 422),
        (errors.TrackNotFound(track_key="MGA.nobody"), 404),
        (errors.TrackNotAssigned(track_key="MGA.mlro", why="no role"), 403),
        (errors.SubmissionAfterDeadline(deadline=NOW, grace=timedelta(seconds=30)), 409),
        (errors.InvalidVerificationCode("nope"), 422),
    ],
)
def test_each_error_maps_to_its_status(error: errors.AssessmentError, status: int) -> None:
    assert error_response(error, now=NOW).status_code == status


def test_invalid_answers_list_each_problem_as_a_field_to_fix() -> None:
    error = errors.InvalidAnswers(
        [("q1", "question q1 is not on this paper"), ("q2", "question q2 has no option x")]
    )
    body = json.loads(error_response(error, now=NOW).body)
    assert body["problems"] == [
        {"field": "answers.q1", "problem": "question q1 is not on this paper"},
        {"field": "answers.q2", "problem": "question q2 has no option x"},
    ]
