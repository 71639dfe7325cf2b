"""Content as written by authors, before overrides are applied (plain, frozen dataclasses)."""

from dataclasses import dataclass
from typing import Literal

from catalogue.domain.errors import Loc

Origin = Literal["core", "jurisdiction"]
QuestionKind = Literal["single", "multiple"]
Feedback = Literal["none", "score", "per_question"]
KINDS: tuple[QuestionKind, ...] = ("single", "multiple")
FEEDBACK: tuple[Feedback, ...] = ("none", "score", "per_question")


@dataclass(frozen=True)
class Ref:
    """A reference to something defined elsewhere, kept with where it was written."""

    id: str
    loc: Loc


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    body: str
    loc: Loc


@dataclass(frozen=True)
class Option:
    id: str
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    text: str
    options: tuple[Option, ...]
    correct: tuple[str, ...]
    explanation: str
    loc: Loc


@dataclass(frozen=True)
class Module:
    id: str
    version: str
    title: str
    summary: str
    origin: Origin
    owner: str | None
    lessons: tuple[Lesson, ...]
    questions: tuple[Question, ...]
    loc: Loc


@dataclass(frozen=True)
class ExamPolicy:
    question_count: int
    pass_mark: int
    time_limit_minutes: int
    attempt_limit: int
    cooldown_hours: float
    feedback: Feedback
    #: Modules to complete before an attempt, in track order; None: every module of the track
    #: (the default). Set by resolution; a track spec carries the rule as written instead.
    required_modules: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CertificationPolicy:
    validity_months: int = 18
    recert_window_days: int = 60


@dataclass(frozen=True)
class Requirement:
    role: Ref
    count: int


@dataclass(frozen=True)
class ReleasePolicy:
    requirements: tuple[Requirement, ...]
    tooling: tuple[Ref, ...]
    revoke_on_lapse: bool


@dataclass(frozen=True)
class ModuleRule:
    """`required_modules` as an author wrote it, with its field path for messages."""

    modules: tuple[Ref, ...]
    field: str
    loc: Loc


@dataclass(frozen=True)
class TrackSpec:
    role: Ref
    title: str
    modules: tuple[Ref, ...]
    exam: ExamPolicy
    question_count_loc: Loc
    #: The track's own `exam.required_modules`, else its jurisdiction's; None: every module.
    required_modules: ModuleRule | None = None


@dataclass(frozen=True)
class LessonOverride:
    """`replace`: new title/body. `amend`: optional new title, Markdown appended to the body."""

    target: Ref
    action: Literal["replace", "amend"]
    title: str | None
    markdown: str


@dataclass(frozen=True)
class QuestionOverride:
    """`replace`: a whole question. `amend`: fields to patch. `remove`: drop it from the pool."""

    target: Ref
    action: Literal["replace", "amend", "remove"]
    question: Question | None = None
    patch: "QuestionPatch | None" = None


@dataclass(frozen=True)
class QuestionPatch:
    """The fields an `amend` sets; None leaves the field as it is."""

    kind: QuestionKind | None = None
    text: str | None = None
    options: tuple[Option, ...] | None = None
    correct: tuple[str, ...] | None = None
    explanation: str | None = None


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    regulator: str
    summary: str
    tracks: tuple[TrackSpec, ...]
    certification: CertificationPolicy
    release: ReleasePolicy
    modules: tuple[Module, ...]
    lesson_overrides: tuple[LessonOverride, ...]
    question_overrides: tuple[QuestionOverride, ...]
    loc: Loc


@dataclass(frozen=True)
class Definition:
    """A role or tooling id declared in catalogue.yaml."""

    id: str
    title: str
    loc: Loc


@dataclass(frozen=True)
class CatalogueMeta:
    id: str
    title: str
    notice: str
    roles: tuple[Definition, ...]
    tooling: tuple[Definition, ...]
    loc: Loc


@dataclass(frozen=True)
class Content:
    """Everything read from a content directory."""

    meta: CatalogueMeta
    core: tuple[Module, ...]
    jurisdictions: tuple[Jurisdiction, ...]
    #: Module folders whose module.yaml could not be read at all (already reported); references
    #: to them are not reported again, and pools that include them are not checked.
    unreadable: frozenset[str] = frozenset()

    def all_modules(self) -> tuple[Module, ...]:
        return self.core + tuple(m for j in self.jurisdictions for m in j.modules)
