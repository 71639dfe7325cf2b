from datetime import timedelta

import pytest
from assessment_builders import (
    T0,
    answers_with_correct,
    correct_answers,
    history,
    question,
    staff,
    track,
)
from hypothesis import given
from hypothesis import strategies as st

from assessment.domain.attempts import start_attempt, submit_attempt
from assessment.domain.errors import InvalidAnswers
from assessment.domain.exams import draw_exam
from assessment.domain.grading import feedback_for, grade


def test_single_choice_needs_exactly_the_correct_option() -> None:
    exam = draw_exam(track(pool=[question("q1")], question_count=1), seed=1)
    assert grade(exam, {"q1": ["q1-o0"]}).correct_count == 1
    assert grade(exam, {"q1": ["q1-o1"]}).correct_count == 0


def test_multiple_choice_needs_the_exact_set() -> None:
    q = question("q1", kind="multiple", correct=["q1-o0", "q1-o2"])
    exam = draw_exam(track(pool=[q], question_count=1), seed=1)
    assert grade(exam, {"q1": ["q1-o2", "q1-o0"]}).correct_count == 1
    assert grade(exam, {"q1": ["q1-o0"]}).correct_count == 0
    assert grade(exam, {"q1": ["q1-o0", "q1-o1", "q1-o2"]}).correct_count == 0


def test_unanswered_questions_score_as_wrong() -> None:
    exam = draw_exam(track(pool_size=4, question_count=4), seed=1)
    first = exam.questions[0]
    result = grade(exam, {first.id: list(first.correct)})
    assert (result.correct_count, result.total, result.score) == (1, 4, 25)


def test_score_rounds_half_up() -> None:
    exam = draw_exam(track(pool_size=8, question_count=8), seed=2)
    assert grade(exam, answers_with_correct(exam, 1)).score == 13  # 12.5 %


def test_pass_at_exactly_the_pass_mark() -> None:
    exam = draw_exam(track(pool_size=10, question_count=10, pass_mark=80), seed=2)
    assert grade(exam, answers_with_correct(exam, 8)).result == "pass"
    assert grade(exam, answers_with_correct(exam, 7)).result == "fail"


def test_answers_naming_unknown_questions_or_options_are_rejected() -> None:
    exam = draw_exam(track(pool_size=4, question_count=2), seed=1)
    not_drawn = next(
        q.id for q in track(pool_size=4).question_pool if q.id not in exam.question_ids
    )
    with pytest.raises(InvalidAnswers, match="not on this paper") as caught:
        grade(exam, {not_drawn: [f"{not_drawn}-o0"]})
    assert "Reload the exam page" in caught.value.message
    with pytest.raises(InvalidAnswers, match="has no option zz"):
        grade(exam, {exam.question_ids[0]: ["zz"]})


def test_several_options_for_a_single_choice_question_are_refused_naming_it() -> None:
    exam = draw_exam(track(pool=[question("q1")], question_count=1), seed=1)
    with pytest.raises(InvalidAnswers, match="takes one option; 2 were chosen") as caught:
        grade(exam, {"q1": ["q1-o0", "q1-o1"]})
    assert caught.value.problems == (("q1", "question q1 takes one option; 2 were chosen"),)


def test_a_bare_option_id_counts_as_one_selection() -> None:
    exam = draw_exam(track(pool=[question("q1")], question_count=1), seed=1)
    assert grade(exam, {"q1": "q1-o0"}).score == 100


@given(
    count=st.integers(min_value=1, max_value=20),
    data=st.data(),
    pass_mark=st.integers(min_value=0, max_value=100),
)
def test_grading_stays_within_bounds_and_passes_at_pass_mark(
    count: int, data: st.DataObject, pass_mark: int
) -> None:
    exam = draw_exam(track(pool_size=20, question_count=count, pass_mark=pass_mark), seed=count)
    right = data.draw(st.integers(min_value=0, max_value=count))
    result = grade(exam, answers_with_correct(exam, right))
    assert result.correct_count == right
    assert 0 <= result.score <= 100
    assert result.passed == (result.score >= pass_mark)
    assert (result.score == 100) == (right == count)  # holds for fewer than 200 questions
    if right == 0:
        assert result.score == 0


def test_all_correct_scores_100() -> None:
    exam = draw_exam(track(pool_size=15, question_count=15), seed=4)
    assert grade(exam, correct_answers(exam)).score == 100


def test_feedback_none_reveals_only_pass_or_fail() -> None:
    exam = draw_exam(track(feedback="none"), seed=1)
    feedback = feedback_for(exam, grade(exam, answers_with_correct(exam, 3)))
    assert feedback.passed is False
    assert (feedback.score, feedback.pass_mark, feedback.wrong) == (None, None, None)


def test_feedback_score_reveals_score_but_not_questions() -> None:
    exam = draw_exam(track(feedback="score", question_count=10), seed=1)
    feedback = feedback_for(exam, grade(exam, answers_with_correct(exam, 9)))
    assert (feedback.passed, feedback.score, feedback.pass_mark) == (True, 90, 80)
    assert feedback.wrong is None


def test_per_question_feedback_lists_wrong_questions_with_explanation() -> None:
    exam = draw_exam(track(feedback="per_question", question_count=5), seed=1)
    feedback = feedback_for(exam, grade(exam, answers_with_correct(exam, 3)))
    assert feedback.wrong is not None
    wrong_ids = [w.question_id for w in feedback.wrong]
    assert wrong_ids == exam.question_ids[3:]
    assert feedback.wrong[0].explanation == f"Because of rule behind {wrong_ids[0]}."


def test_attempt_is_graded_against_the_version_it_started_on() -> None:
    v1 = track(version="v1", pool_size=10, question_count=10, pass_mark=80)
    attempt = start_attempt(history(), v1, holder=staff(), attempt_id="a1", seed=1, now=T0).attempt
    answers = answers_with_correct(attempt.exam, 9)
    # v2 is published mid-attempt: every question re-keyed and a stricter pass mark.
    v2 = track(
        version="v2",
        pool=[question(q.id, kind=q.kind, correct=[f"{q.id}-o3"]) for q in v1.question_pool],
        question_count=10,
        pass_mark=100,
    )
    assert grade(draw_exam(v2, seed=1), answers).result == "fail"
    graded = submit_attempt(attempt, answers, now=T0 + timedelta(minutes=5)).attempt
    assert (graded.track_version, graded.score, graded.result) == ("v1", 90, "pass")
    assert attempt.exam.policy.pass_mark == 80
