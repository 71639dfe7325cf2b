"""Builders and helpers for assessment integration tests (plain functions, no shared state)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from contracts.catalogue import (
    CertificationPolicy,
    ExamPolicy,
    JurisdictionAdded,
    LessonRef,
    Question,
    QuestionOption,
    ReleasePolicyPublished,
    TrackModule,
    TrackPublished,
)
from contracts.common import ReleasePolicy, RoleRequirement
from contracts.digests import lesson_digest, module_digest

#: Test time starts years ahead of the real clock, so no real-time scheduler (say, of a local
#: mesh sharing the database) ever finds these tests' attempts overdue or certificates due.
T0 = datetime(2031, 11, 24, 9, 0, tzinfo=UTC)
Feedback = Literal["none", "score", "per_question"]

#: (module id, title, origin, lesson titles, question stems) of a realistic curriculum.
CURRICULUM: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "core-aml",
        "Anti-money laundering essentials",
        "core",
        ("What money laundering looks like in gaming", "Placement, layering, integration"),
        (
            "Which stage of laundering moves funds through many accounts to hide their origin?",
            "A player deposits just under the reporting threshold several times a day. What is it?",
            "Who must a suspicion of money laundering be reported to first?",
            "Which of these is a typical red flag for chip dumping in peer-to-peer poker?",
            "When may an operator tell a customer about a suspicious activity report?",
            "Which records must be kept after a customer relationship ends?",
            "What is the purpose of a risk-based approach to AML?",
        ),
    ),
    (
        "core-kyc",
        "Know your customer",
        "core",
        ("Customer due diligence", "Enhanced due diligence and PEPs", "Source of funds"),
        (
            "When is enhanced due diligence required?",
            "Which document verifies a customer's address?",
            "What is a politically exposed person?",
            "Which checks are part of customer due diligence?",
            "When must identity be verified at the latest?",
            "What should happen when verification cannot be completed?",
            "Which sources may confirm a customer's source of wealth?",
        ),
    ),
    (
        "core-tm",
        "Transaction monitoring",
        "core",
        ("Rules and thresholds", "Investigating alerts"),
        (
            "What is the first step when a monitoring alert fires?",
            "Which pattern suggests use of the platform as a payment channel?",
            "How should alert thresholds be reviewed?",
            "Which data must an alert investigation record?",
            "What is structuring?",
            "Which events should trigger a customer risk re-assessment?",
        ),
    ),
    (
        "core-rg",
        "Responsible gambling",
        "core",
        ("Markers of harm", "Interaction and self-exclusion"),
        (
            "Which behaviour is a marker of gambling harm?",
            "What must happen when a self-excluded customer tries to open an account?",
            "Which tools must be offered to every customer?",
            "How soon must a deposit limit decrease take effect?",
            "Which of these are safer-gambling interactions?",
        ),
    ),
    (
        "local",
        "Local regulation",
        "jurisdiction",
        ("The regulator and its directives", "Reporting obligations"),
        (
            "Within how many days must a key function change be notified to the regulator?",
            "Which body issues the local AML implementing procedures?",
            "Which reports must the compliance officer file annually?",
            "Who may hold the key function of compliance officer?",
            "Which incidents must be reported to the regulator?",
            "Where must player funds be held?",
        ),
    ),
)


def unique_jurisdiction() -> str:
    """A jurisdiction code no other test uses (tracks are platform-wide)."""
    return "T" + uuid.uuid4().hex[:9].upper()


def unique_operator() -> str:
    return f"op-{uuid.uuid4().hex[:10]}"


def realistic_track(
    *,
    jurisdiction: str,
    role: str = "compliance_officer",
    version: str = "2026.11.1",
    published_at: datetime = T0 - timedelta(days=30),
    question_count: int = 20,
    pass_mark: int = 80,
    time_limit_minutes: int = 30,
    attempt_limit: int = 3,
    cooldown_hours: float = 24,
    feedback: Feedback = "score",
    validity_months: int = 18,
    recert_window_days: int = 60,
    lesson_version: str = "1",
    required_modules: list[str] | None = None,
    overrides: dict[str, str] | None = None,
    regulator: str | None = None,
) -> TrackPublished:
    """A resolved track with 31 questions over 5 modules (single and multiple choice).

    Lessons carry Markdown and digests as the catalogue publishes them; `overrides` (lesson id
    -> Markdown) stands for the jurisdiction's overrides the catalogue resolved.
    """
    modules: list[TrackModule] = []
    pool: list[Question] = []
    for module_id, title, origin, lessons, stems in CURRICULUM:
        mid = f"{jurisdiction.lower()}-{module_id}" if origin == "jurisdiction" else module_id
        refs = [
            lesson_ref(
                f"{mid}-l{i + 1}", lesson, lesson_version, (overrides or {}).get(f"{mid}-l{i + 1}")
            )
            for i, lesson in enumerate(lessons)
        ]
        modules.append(
            TrackModule(
                id=mid,
                title=title if origin == "core" else f"{jurisdiction}: {title}",
                version=f"{mid}@{lesson_version}",
                origin="core" if origin == "core" else "jurisdiction",
                lessons=refs,
                digest=module_digest(ref.digest or "" for ref in refs),
            )
        )
        for i, stem in enumerate(stems):
            qid = f"q-{mid}-{i + 1:02d}"
            options = [QuestionOption(id=f"{qid}-{c}", text=f"Answer {c.upper()}") for c in "abcd"]
            multiple = i % 3 == 2
            pool.append(
                Question(
                    id=qid,
                    module_id=mid,
                    kind="multiple" if multiple else "single",
                    text=stem,
                    options=options,
                    correct=[f"{qid}-a", f"{qid}-c"] if multiple else [f"{qid}-b"],
                    explanation=f"See lesson {mid}-l1: {stem.lower()[:40]}",
                )
            )
    return TrackPublished(
        track_key=f"{jurisdiction}.{role}",
        jurisdiction=jurisdiction,
        role=role,
        version=version,
        catalogue_version=f"cat-{version}",
        title=f"{jurisdiction}: {role.replace('_', ' ')}",
        modules=modules,
        module_versions={m.id: m.version for m in modules},
        exam=ExamPolicy(
            question_count=question_count,
            pass_mark=pass_mark,
            time_limit_minutes=time_limit_minutes,
            attempt_limit=attempt_limit,
            cooldown_hours=cooldown_hours,
            feedback=feedback,
            required_modules=required_modules,
        ),
        question_pool=pool,
        certification=CertificationPolicy(
            validity_months=validity_months, recert_window_days=recert_window_days
        ),
        published_at=published_at,
        jurisdiction_name=f"Testland {jurisdiction}",
        regulator=regulator,
    )


def lesson_ref(lesson_id: str, title: str, version: str, markdown: str | None) -> LessonRef:
    """A lesson as published: its Markdown (core text unless overridden) and that text's digest."""
    text = markdown or f"# {title}\n\nCore text of lesson {lesson_id}, version {version}.\n"
    return LessonRef(
        id=lesson_id, title=title, version=version, markdown=text, digest=lesson_digest(text)
    )


def release_policy(
    jurisdiction: str, *, requirements: Sequence[tuple[str, int]] = (("compliance_officer", 1),)
) -> ReleasePolicyPublished:
    return ReleasePolicyPublished(
        policy=ReleasePolicy(
            jurisdiction=jurisdiction,
            requirements=[RoleRequirement(role=r, count=n) for r, n in requirements],
            tooling=[f"{jurisdiction.lower()}-licensing-suite"],
        ),
        version="p1",
        catalogue_version="cat-1",
        published_at=T0 - timedelta(days=30),
    )


def jurisdiction_added(jurisdiction: str) -> JurisdictionAdded:
    return JurisdictionAdded(
        jurisdiction=jurisdiction,
        name=f"Testland {jurisdiction}",
        regulator=f"{jurisdiction} Gaming Authority",
        roles=["compliance_officer"],
        catalogue_version="cat-1",
        added_at=T0 - timedelta(days=30),
    )


def answers(
    track: TrackPublished, paper: dict[str, Any], *, correct: int | None = None
) -> dict[str, list[str]]:
    """Answers to a paper: the first `correct` questions right (all if None), the rest wrong."""
    keys = {q.id: q.correct for q in track.question_pool}
    out: dict[str, list[str]] = {}
    for index, question in enumerate(paper["questions"]):
        right = correct is None or index < correct
        qid = question["id"]
        out[qid] = list(keys[qid]) if right else [f"{qid}-d"]
    return out


@dataclass
class FakeClock:
    """A controllable clock for the app: tests move time instead of waiting."""

    now: datetime = field(default=T0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now
