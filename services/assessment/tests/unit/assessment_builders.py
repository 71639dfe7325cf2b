"""Builders for assessment domain test data (plain functions, no shared mutable fixtures)."""

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

from assessment.domain.attempts import Attempt, ExamHistory, start_attempt, submit_attempt
from assessment.domain.certificates import Certificate, issue_certificate
from assessment.domain.exams import ExamSnapshot
from assessment.domain.progress import TrackProgress, complete_lesson
from assessment.domain.staff import StaffMember
from assessment.domain.training_state import training_state
from contracts.assessment import TrainingState
from contracts.catalogue import (
    CertificationPolicy,
    ExamPolicy,
    LessonRef,
    Question,
    QuestionOption,
    TrackModule,
    TrackPublished,
)

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
FeedbackLevel = Literal["none", "score", "per_question"]


def question(
    qid: str,
    *,
    module_id: str = "core-aml",
    kind: Literal["single", "multiple"] = "single",
    options: int = 4,
    correct: Sequence[str] | None = None,
) -> Question:
    option_ids = [f"{qid}-o{i}" for i in range(options)]
    key = list(correct) if correct is not None else [option_ids[0]]
    if kind == "multiple" and correct is None:
        key = option_ids[:2]
    return Question(
        id=qid,
        module_id=module_id,
        kind=kind,
        text=f"Question {qid}?",
        options=[QuestionOption(id=o, text=f"Option {o}") for o in option_ids],
        correct=key,
        explanation=f"Because of rule behind {qid}.",
    )


def module(module_id: str, lessons: int = 2, *, version: str = "m1") -> TrackModule:
    return TrackModule(
        id=module_id,
        title=f"Module {module_id}",
        version=version,
        origin="core",
        lessons=[
            LessonRef(id=f"{module_id}-l{i}", title=f"Lesson {i}", version="1")
            for i in range(lessons)
        ],
    )


def track(
    *,
    jurisdiction: str = "MGA",
    role: str = "compliance_officer",
    version: str = "v1",
    modules: Sequence[TrackModule] | None = None,
    pool: Sequence[Question] | None = None,
    pool_size: int = 20,
    question_count: int = 10,
    pass_mark: int = 80,
    time_limit_minutes: int = 30,
    attempt_limit: int = 3,
    cooldown_hours: float = 24,
    feedback: FeedbackLevel = "score",
    validity_months: int = 18,
    recert_window_days: int = 60,
    required_modules: Sequence[str] | None = None,
    regulator: str | None = None,
) -> TrackPublished:
    mods = list(modules) if modules is not None else [module("core-aml"), module("mga-local")]
    questions = (
        list(pool)
        if pool is not None
        else [
            question(f"q{i:02d}", module_id=mods[i % len(mods)].id, kind="multiple")
            if i % 3 == 0
            else question(f"q{i:02d}", module_id=mods[i % len(mods)].id)
            for i in range(pool_size)
        ]
    )
    return TrackPublished(
        track_key=f"{jurisdiction}.{role}",
        jurisdiction=jurisdiction,
        role=role,
        version=version,
        catalogue_version="cat-1",
        title=f"{jurisdiction} {role}",
        modules=mods,
        module_versions={m.id: m.version for m in mods},
        exam=ExamPolicy(
            question_count=question_count,
            pass_mark=pass_mark,
            time_limit_minutes=time_limit_minutes,
            attempt_limit=attempt_limit,
            cooldown_hours=cooldown_hours,
            feedback=feedback,
            required_modules=None if required_modules is None else list(required_modules),
        ),
        question_pool=questions,
        certification=CertificationPolicy(
            validity_months=validity_months, recert_window_days=recert_window_days
        ),
        published_at=T0 - timedelta(days=30),
        regulator=regulator,
    )


def completed(tr: TrackPublished, *module_ids: str, at: datetime = T0) -> TrackProgress:
    """Progress of `staff()` with every lesson of the named modules completed at `at`."""
    progress = TrackProgress("staff-1", tr.track_key)
    for m in tr.modules:
        if m.id in module_ids:
            for lesson in m.lessons:
                progress = complete_lesson(
                    progress, tr, module_id=m.id, lesson_id=lesson.id, now=at
                ).progress
    return progress


def staff(
    staff_id: str = "staff-1",
    *,
    name: str = "Ada Compliance",
    operator_id: str = "op-123",
    roles: Sequence[str] = ("compliance_officer",),
) -> StaffMember:
    return StaffMember(
        operator_id=operator_id,
        staff_id=staff_id,
        name=name,
        email=f"{staff_id}@operator.example",
        roles=frozenset(roles),
    )


def untrained(tr: TrackPublished) -> TrainingState:
    """The state of `staff()` on `tr` with nothing completed, attempted or certified."""
    return training_state(
        holder=staff(),
        track=tr,
        progress=TrackProgress("staff-1", tr.track_key),
        attempts=(),
        certificates=(),
    )


def correct_answers(exam: ExamSnapshot) -> dict[str, list[str]]:
    return {q.id: list(q.correct) for q in exam.questions}


def answers_with_correct(exam: ExamSnapshot, n: int) -> dict[str, list[str]]:
    """The first `n` questions answered right, the rest wrong (a non-key option)."""
    answers: dict[str, list[str]] = {}
    for index, q in enumerate(exam.questions):
        if index < n:
            answers[q.id] = list(q.correct)
        else:
            answers[q.id] = [next(o.id for o in q.options if o.id not in q.correct)]
    return answers


def history(
    *attempts: Attempt, resets: Sequence[datetime] = (), key: str = "MGA.compliance_officer"
) -> ExamHistory:
    return ExamHistory(staff_id="staff-1", track_key=key, attempts=attempts, resets=tuple(resets))


def started(
    tr: TrackPublished, hist: ExamHistory, *, at: datetime, attempt_id: str = "att-1"
) -> Attempt:
    return start_attempt(hist, tr, holder=staff(), attempt_id=attempt_id, seed=7, now=at).attempt


def finished(
    tr: TrackPublished,
    hist: ExamHistory,
    *,
    at: datetime,
    passed: bool,
    attempt_id: str = "att-1",
    minutes: int = 10,
) -> Attempt:
    attempt = started(tr, hist, at=at, attempt_id=attempt_id)
    n = len(attempt.exam.questions) if passed else 0
    answers = answers_with_correct(attempt.exam, n)
    return submit_attempt(attempt, answers, now=at + timedelta(minutes=minutes)).attempt


def certificate(
    *,
    certificate_id: str = "cert-1",
    passed_at: datetime = T0,
    holder: StaffMember | None = None,
    jurisdiction: str = "MGA",
    role: str = "compliance_officer",
    validity_months: int = 18,
    recert_window_days: int = 60,
    predecessor: Certificate | None = None,
) -> Certificate:
    return issue_certificate(
        certificate_id=certificate_id,
        verification_code="7K3M-Q9XD-2HPV",
        holder=holder or staff(),
        attempt_id=f"att-{certificate_id}",
        jurisdiction=jurisdiction,
        role=role,
        track_key=f"{jurisdiction}.{role}",
        track_version="v1",
        passed_at=passed_at,
        policy=CertificationPolicy(
            validity_months=validity_months, recert_window_days=recert_window_days
        ),
        predecessor=predecessor,
    ).certificate


def seeded_entropy(seed: int) -> Callable[[int], bytes]:
    """A deterministic stand-in for `secrets.token_bytes`."""
    return random.Random(seed).randbytes
