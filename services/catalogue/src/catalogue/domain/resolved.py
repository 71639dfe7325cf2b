"""Resolved content (overrides applied), each part versioned by the hash of what it contains."""

from dataclasses import dataclass
from functools import cached_property

from catalogue.domain.model import CertificationPolicy, ExamPolicy, Option, Origin, QuestionKind
from catalogue.domain.versions import digest as content_version
from contracts.digests import lesson_digest, module_digest


@dataclass(frozen=True)
class ResolvedLesson:
    id: str
    title: str
    body: str

    def canonical(self) -> dict[str, object]:
        return {"id": self.id, "title": self.title, "body": self.body}

    @cached_property
    def version(self) -> str:
        return content_version(self.canonical())

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the Markdown as served (`body`): what staff read, without the title."""
        return lesson_digest(self.body)


@dataclass(frozen=True)
class ResolvedQuestion:
    id: str
    module_id: str
    kind: QuestionKind
    text: str
    options: tuple[Option, ...]
    correct: tuple[str, ...]
    explanation: str

    def canonical(self) -> dict[str, object]:
        return {
            "id": self.id,
            "module_id": self.module_id,
            "kind": self.kind,
            "text": self.text,
            "options": [{"id": o.id, "text": o.text} for o in self.options],
            "correct": list(self.correct),
            "explanation": self.explanation,
        }

    @cached_property
    def version(self) -> str:
        return content_version(self.canonical())


@dataclass(frozen=True)
class ResolvedModule:
    """A module as one jurisdiction teaches it: the same core module may differ per jurisdiction."""

    id: str
    title: str
    summary: str
    declared_version: str
    origin: Origin
    lessons: tuple[ResolvedLesson, ...]
    questions: tuple[ResolvedQuestion, ...]

    def canonical(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "declared_version": self.declared_version,
            "origin": self.origin,
            "lessons": [lesson.canonical() for lesson in self.lessons],
            "questions": [question.canonical() for question in self.questions],
        }

    @cached_property
    def version(self) -> str:
        return content_version(self.canonical())

    @cached_property
    def digest(self) -> str:
        """Over the lesson digests in order: changes when a lesson text, or their order, does."""
        return module_digest(lesson.digest for lesson in self.lessons)


def exam_dict(exam: ExamPolicy) -> dict[str, object]:
    """The exam as hashed and stored; `required_modules` only when it is not every module.

    The default rule follows from the track's modules (already hashed), so a track without a
    rule keeps its version and snapshots stored before the rule existed still verify.
    """
    found: dict[str, object] = {
        "question_count": exam.question_count,
        "pass_mark": exam.pass_mark,
        "time_limit_minutes": exam.time_limit_minutes,
        "attempt_limit": exam.attempt_limit,
        "cooldown_hours": float(exam.cooldown_hours),
        "feedback": exam.feedback,
    }
    if exam.required_modules is not None:
        found["required_modules"] = list(exam.required_modules)
    return found


def certification_dict(policy: CertificationPolicy) -> dict[str, object]:
    return {
        "validity_months": policy.validity_months,
        "recert_window_days": policy.recert_window_days,
    }


@dataclass(frozen=True)
class ResolvedTrack:
    """What one role must learn and pass in one jurisdiction."""

    jurisdiction: str
    role: str
    title: str
    modules: tuple[ResolvedModule, ...]
    exam: ExamPolicy
    certification: CertificationPolicy

    @property
    def key(self) -> str:
        return f"{self.jurisdiction}.{self.role}"

    @property
    def required_modules(self) -> tuple[str, ...]:
        """Modules to complete before an exam attempt, in track order (default: every module)."""
        if self.exam.required_modules is None:
            return tuple(module.id for module in self.modules)
        return self.exam.required_modules

    @property
    def question_pool(self) -> tuple[ResolvedQuestion, ...]:
        return tuple(question for module in self.modules for question in module.questions)

    def canonical(self) -> dict[str, object]:
        """A track is addressed by its modules' versions, not their full content."""
        return {
            "key": self.key,
            "jurisdiction": self.jurisdiction,
            "role": self.role,
            "title": self.title,
            "modules": [{"id": m.id, "version": m.version} for m in self.modules],
            "exam": exam_dict(self.exam),
            "certification": certification_dict(self.certification),
        }

    @cached_property
    def version(self) -> str:
        return content_version(self.canonical())


@dataclass(frozen=True)
class ResolvedReleasePolicy:
    jurisdiction: str
    requirements: tuple[tuple[str, int], ...]
    tooling: tuple[str, ...]
    revoke_on_lapse: bool

    def canonical(self) -> dict[str, object]:
        return {
            "jurisdiction": self.jurisdiction,
            "requirements": [{"role": role, "count": count} for role, count in self.requirements],
            "tooling": list(self.tooling),
            "revoke_on_lapse": self.revoke_on_lapse,
        }

    @cached_property
    def version(self) -> str:
        return content_version(self.canonical())


@dataclass(frozen=True)
class ResolvedJurisdiction:
    code: str
    name: str
    regulator: str
    summary: str
    roles: tuple[str, ...]
    release_policy: ResolvedReleasePolicy

    def canonical(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "regulator": self.regulator,
            "summary": self.summary,
            "roles": list(self.roles),
            "release_policy": self.release_policy.version,
        }


@dataclass(frozen=True)
class Named:
    """A role or tooling id with its display title."""

    id: str
    title: str


@dataclass(frozen=True)
class ResolvedCatalogue:
    """A whole content directory, resolved; `version` changes whenever anything in it does."""

    id: str
    title: str
    notice: str
    roles: tuple[Named, ...]
    tooling: tuple[Named, ...]
    jurisdictions: tuple[ResolvedJurisdiction, ...]
    tracks: tuple[ResolvedTrack, ...]

    @property
    def release_policies(self) -> tuple[ResolvedReleasePolicy, ...]:
        return tuple(j.release_policy for j in self.jurisdictions)

    def jurisdiction(self, code: str) -> ResolvedJurisdiction:
        for jurisdiction in self.jurisdictions:
            if jurisdiction.code == code:
                return jurisdiction
        raise KeyError(code)

    def track(self, jurisdiction: str, role: str) -> ResolvedTrack:
        for track in self.tracks:
            if (track.jurisdiction, track.role) == (jurisdiction, role):
                return track
        raise KeyError(f"{jurisdiction}.{role}")

    def canonical(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "notice": self.notice,
            "roles": [{"id": r.id, "title": r.title} for r in self.roles],
            "tooling": [{"id": t.id, "title": t.title} for t in self.tooling],
            "jurisdictions": [j.canonical() for j in self.jurisdictions],
            "tracks": {track.key: track.version for track in self.tracks},
        }

    @cached_property
    def version(self) -> str:
        return content_version(self.canonical())
