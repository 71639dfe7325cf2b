"""Server-side grading of a submitted paper and the feedback the exam policy allows."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from assessment.domain.errors import InvalidAnswers
from assessment.domain.exams import ExamSnapshot
from assessment.domain.timeutil import percent_half_up
from contracts.catalogue import Question
from contracts.common import AttemptResult

#: Selected option ids per question id, as submitted by the portal.
Answers = Mapping[str, Collection[str]]
FeedbackLevel = Literal["none", "score", "per_question"]


@dataclass(frozen=True)
class QuestionOutcome:
    question_id: str
    selected: frozenset[str]
    correct: bool


@dataclass(frozen=True)
class GradeResult:
    """Full grading detail; kept server side, shown to staff only through `Feedback`."""

    correct_count: int
    total: int
    score: int
    pass_mark: int
    outcomes: tuple[QuestionOutcome, ...]

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_mark

    @property
    def result(self) -> AttemptResult:
        return "pass" if self.passed else "fail"


@dataclass(frozen=True)
class WrongAnswer:
    question_id: str
    question_text: str
    explanation: str


@dataclass(frozen=True)
class Feedback:
    """What staff see after submitting: never more than `ExamPolicy.feedback` allows."""

    level: FeedbackLevel
    passed: bool
    score: int | None = None
    pass_mark: int | None = None
    wrong: tuple[WrongAnswer, ...] | None = None


def normalise_answers(snapshot: ExamSnapshot, answers: Answers) -> dict[str, frozenset[str]]:
    """Check the submission names only questions and options of this paper.

    Unanswered questions are allowed (they score as wrong); unknown ids, and several options
    for a single-choice question, are a client error.
    """
    by_id = {question.id: question for question in snapshot.questions}
    problems: list[tuple[str, str]] = []
    selections: dict[str, frozenset[str]] = {}
    for question_id in sorted(answers):
        question = by_id.get(question_id)
        if question is None:
            problems.append((question_id, f"question {question_id} is not on this paper"))
            continue
        raw = answers[question_id]
        selected = frozenset([raw] if isinstance(raw, str) else raw)
        unknown = sorted(selected - {option.id for option in question.options})
        if unknown:
            problems.append(
                (question_id, f"question {question_id} has no option {', '.join(unknown)}")
            )
        elif question.kind == "single" and len(selected) > 1:
            problems.append(
                (
                    question_id,
                    f"question {question_id} takes one option; {len(selected)} were chosen",
                )
            )
        selections[question_id] = selected
    if problems:
        raise InvalidAnswers(problems)
    return {qid: selections.get(qid, frozenset()) for qid in by_id}


def is_correct(question: Question, selected: frozenset[str]) -> bool:
    """Single: exactly the one keyed option. Multiple: exactly the keyed set, no more, no less."""
    key = frozenset(question.correct)
    if question.kind == "single":
        return len(selected) == 1 and selected == key
    return selected == key


def grade(snapshot: ExamSnapshot, answers: Answers) -> GradeResult:
    """Grade against the attempt's own snapshot: score is the percentage rounded half up."""
    selections = normalise_answers(snapshot, answers)
    outcomes = tuple(
        QuestionOutcome(
            question_id=question.id,
            selected=selections[question.id],
            correct=is_correct(question, selections[question.id]),
        )
        for question in snapshot.questions
    )
    correct_count = sum(outcome.correct for outcome in outcomes)
    total = len(outcomes)
    return GradeResult(
        correct_count=correct_count,
        total=total,
        score=percent_half_up(correct_count, total),
        pass_mark=snapshot.policy.pass_mark,
        outcomes=outcomes,
    )


def feedback_for(snapshot: ExamSnapshot, result: GradeResult) -> Feedback:
    """Shape feedback by the snapshot's policy: pass/fail only, plus score, plus wrong answers."""
    level = snapshot.policy.feedback
    if level == "none":
        return Feedback(level=level, passed=result.passed)
    if level == "score":
        return Feedback(
            level=level, passed=result.passed, score=result.score, pass_mark=result.pass_mark
        )
    by_id = {question.id: question for question in snapshot.questions}
    wrong = tuple(
        WrongAnswer(
            question_id=outcome.question_id,
            question_text=by_id[outcome.question_id].text,
            explanation=by_id[outcome.question_id].explanation,
        )
        for outcome in result.outcomes
        if not outcome.correct
    )
    return Feedback(
        level=level,
        passed=result.passed,
        score=result.score,
        pass_mark=result.pass_mark,
        wrong=wrong,
    )
