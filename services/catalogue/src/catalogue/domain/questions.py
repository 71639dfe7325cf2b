"""Reading questions and question patches, and the rules every question must satisfy."""

from catalogue.domain.fields import Cursor
from catalogue.domain.model import KINDS, Option, Question, QuestionKind, QuestionPatch

QUESTION_FIELDS = {"id", "kind", "text", "options", "correct", "explanation"}


def question_problems(
    kind: str, options: tuple[Option, ...], correct: tuple[str, ...]
) -> list[str]:
    """What is wrong with a question's answer key (empty when it can be graded)."""
    problems: list[str] = []
    option_ids = [option.id for option in options]
    if len(options) < 2:
        problems.append(f"needs at least 2 options, has {len(options)}")
    if not correct:
        problems.append("has no correct answer")
    for answer in correct:
        if answer not in option_ids:
            problems.append(
                f"correct answer '{answer}' is not one of its options ({', '.join(option_ids)})"
            )
    if len(set(correct)) != len(correct):
        problems.append("lists a correct answer twice")
    if kind == "single" and len(set(correct)) > 1:
        problems.append(f"is single-choice but lists {len(set(correct))} correct answers")
    return problems


def parse_question(cursor: Cursor, *, fixed_id: str | None = None) -> Question | None:
    """One question mapping; None only when it has no usable id."""
    fields = QUESTION_FIELDS if fixed_id is None else QUESTION_FIELDS - {"id"}
    if not cursor.is_mapping(fields):
        return None
    question_id = fixed_id if fixed_id is not None else cursor.ident("id")
    kind: QuestionKind = (
        "multiple" if cursor.choice("kind", KINDS, "single") == "multiple" else "single"
    )
    text = cursor.text("text")
    options = _options(cursor.child("options"), required=True)
    correct = _correct(cursor.child("correct"))
    explanation = cursor.text("explanation")
    if question_id is None:
        return None
    for problem in question_problems(kind, options, correct):
        cursor.fail(problem)
    return Question(question_id, kind, text, options, correct, explanation, cursor.loc)


def parse_patch(cursor: Cursor) -> QuestionPatch:
    """The fields of a question `amend`; each present field is checked like in a question."""
    if not cursor.is_mapping(QUESTION_FIELDS - {"id"}):
        return QuestionPatch()
    kind = cursor.choice("kind", KINDS, "") if cursor.has("kind") else None
    return QuestionPatch(
        kind="multiple" if kind == "multiple" else ("single" if kind == "single" else None),
        text=cursor.text("text") if cursor.has("text") else None,
        options=_options(cursor.child("options"), required=False)
        if cursor.has("options")
        else None,
        correct=_correct(cursor.child("correct")) if cursor.has("correct") else None,
        explanation=cursor.text("explanation") if cursor.has("explanation") else None,
    )


def apply_patch(question: Question, patch: QuestionPatch) -> Question:
    return Question(
        id=question.id,
        kind=patch.kind or question.kind,
        text=patch.text or question.text,
        options=question.options if patch.options is None else patch.options,
        correct=question.correct if patch.correct is None else patch.correct,
        explanation=patch.explanation or question.explanation,
        loc=question.loc,
    )


def _options(cursor: Cursor, *, required: bool) -> tuple[Option, ...]:
    """`options` is a mapping of option id to text, in the order shown to staff."""
    if cursor.value is None:
        if required:
            cursor.fail("is required")
        return ()
    if not isinstance(cursor.value, dict):
        cursor.fail("must map option ids to their text, e.g. {a: ..., b: ...}")
        return ()
    options: list[Option] = []
    for key, value in cursor.value.items():
        option = cursor.child(key)
        option_id = Cursor(option.doc, option.keys, key, option.errors).as_ident()
        if (
            not isinstance(value, str | int | float)
            or isinstance(value, bool)
            or not str(value).strip()
        ):
            option.fail("must be non-empty text")
            continue
        if option_id is not None:
            options.append(Option(option_id, str(value).strip()))
    return tuple(options)


def _correct(cursor: Cursor) -> tuple[str, ...]:
    """`correct` is one option id or a list of them."""
    value = cursor.value
    if value is None:
        return ()  # reported as "has no correct answer" with the question's other problems
    items = value if isinstance(value, list) else [value]
    answers: list[str] = []
    for item in items:
        if not isinstance(item, str):
            cursor.fail(f"must list option ids, got {item!r}")
            continue
        answers.append(item)
    return tuple(answers)
