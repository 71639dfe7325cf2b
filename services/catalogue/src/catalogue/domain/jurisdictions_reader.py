"""Reading jurisdiction folders: jurisdiction.yaml, overrides.yaml and their own modules."""

from pathlib import Path
from typing import Literal

from catalogue.domain.errors import ContentErrors, Loc
from catalogue.domain.fields import CODE_PATTERN, ROLE_PATTERN, Cursor, type_name
from catalogue.domain.model import (
    FEEDBACK,
    CertificationPolicy,
    ExamPolicy,
    Jurisdiction,
    LessonOverride,
    ModuleRule,
    QuestionOverride,
    Ref,
    ReleasePolicy,
    Requirement,
    TrackSpec,
)
from catalogue.domain.modules_reader import markdown_file, normalise_markdown, parse_modules
from catalogue.domain.questions import parse_patch, parse_question
from catalogue.domain.yamldoc import read_yaml, relative

JURISDICTION_FILE = "jurisdiction.yaml"
OVERRIDES_FILE = "overrides.yaml"
TOP_FIELDS = {
    "code",
    "name",
    "regulator",
    "summary",
    "exam",
    "certification",
    "tracks",
    "release_policy",
}
EXAM_FIELDS = {
    "question_count",
    "pass_mark",
    "time_limit_minutes",
    "attempt_limit",
    "cooldown_hours",
    "feedback",
    "required_modules",
}
#: Stands in for an exam section that could not be read, so its errors do not cascade.
FALLBACK_EXAM = ExamPolicy(1, 0, 1, 1, 0.0, "score")


def parse_jurisdictions(
    root: Path, errors: ContentErrors, unreadable: set[str]
) -> tuple[Jurisdiction, ...]:
    folder = root / "jurisdictions"
    if not folder.is_dir():
        return ()
    found: list[Jurisdiction] = []
    for directory in sorted(p for p in folder.iterdir() if p.is_dir()):
        if not (directory / JURISDICTION_FILE).is_file():
            errors.add(
                Loc(relative(root, directory)), f"jurisdiction folder has no {JURISDICTION_FILE}"
            )
            continue
        jurisdiction = _parse_jurisdiction(root, directory, errors, unreadable)
        if jurisdiction is not None:
            found.append(jurisdiction)
    return tuple(found)


def _parse_jurisdiction(
    root: Path, directory: Path, errors: ContentErrors, unreadable: set[str]
) -> Jurisdiction | None:
    doc = read_yaml(root, directory / JURISDICTION_FILE, errors)
    if doc is None:
        return None
    top = Cursor.root(doc, errors)
    if not top.is_mapping(TOP_FIELDS):
        return None
    code = top.ident("code", CODE_PATTERN)
    if code is not None and code != directory.name:
        top.child("code").fail(f"'{code}' must match its folder name '{directory.name}'")
    name = top.text("name")
    regulator = top.text("regulator")
    summary = top.text("summary", required=False)
    exam_section = top.section("exam", EXAM_FIELDS)
    exam = _exam(exam_section, None) if exam_section is not None else FALLBACK_EXAM
    rule = _required_modules(exam_section) if exam_section is not None else None
    tracks = tuple(_tracks(top, exam, rule))
    certification = _certification(
        top.section("certification", {"validity_months", "recert_window_days"}, required=False)
    )
    release = _release(
        top.section("release_policy", {"requirements", "tooling", "revoke_on_lapse"})
    )
    modules = parse_modules(
        root,
        directory / "modules",
        origin="jurisdiction",
        owner=code,
        errors=errors,
        unreadable=unreadable,
    )
    lesson_overrides, question_overrides = _overrides(root, directory, errors)
    if code is None:
        return None
    return Jurisdiction(
        code,
        name,
        regulator,
        summary,
        tracks,
        certification,
        release,
        modules,
        lesson_overrides,
        question_overrides,
        top.loc,
    )


def _exam(section: Cursor, base: ExamPolicy | None) -> ExamPolicy:
    """A full exam policy, or (with `base`) a track's partial one on top of the default."""
    need = base is None
    default = base or FALLBACK_EXAM
    feedback = section.choice("feedback", FEEDBACK, default.feedback)
    return ExamPolicy(
        question_count=section.integer(
            "question_count", default.question_count, lo=1, required=need
        ),
        pass_mark=section.integer("pass_mark", default.pass_mark, lo=0, hi=100, required=need),
        time_limit_minutes=section.integer(
            "time_limit_minutes", default.time_limit_minutes, lo=1, required=need
        ),
        attempt_limit=section.integer("attempt_limit", default.attempt_limit, lo=1, required=need),
        cooldown_hours=section.number(
            "cooldown_hours", default.cooldown_hours, lo=0, required=need
        ),
        feedback="none"
        if feedback == "none"
        else ("per_question" if feedback == "per_question" else "score"),
    )


def _required_modules(section: Cursor) -> ModuleRule | None:
    """An exam's `required_modules` list; None when absent (every module) or not a list."""
    if not section.has("required_modules"):
        return None
    field = section.child("required_modules")
    if not isinstance(field.value, list):
        field.fail(
            "must be a list of module ids (leave it out to require every module of the track)"
            f", got {type_name(field.value)}"
        )
        return None
    refs: list[Ref] = []
    for entry in section.items("required_modules"):
        ident = entry.as_ident()
        if ident is None:
            continue
        if any(ref.id == ident for ref in refs):
            entry.fail(f"names module '{ident}' twice")
            continue
        refs.append(Ref(ident, entry.loc))
    return ModuleRule(tuple(refs), field.where, field.loc)


def _tracks(top: Cursor, exam: ExamPolicy, rule: ModuleRule | None) -> list[TrackSpec]:
    tracks: list[TrackSpec] = []
    for item in top.items("tracks", min_items=1):
        if not item.is_mapping({"role", "title", "modules", "exam"}):
            continue
        role = item.ident("role", ROLE_PATTERN)
        title = item.text("title", required=False)
        modules = tuple(
            Ref(ident, entry.loc)
            for entry in item.items("modules", min_items=1)
            if (ident := entry.as_ident()) is not None
        )
        override = item.section("exam", EXAM_FIELDS, required=False)
        track_exam = exam if override is None else _exam(override, exam)
        track_rule = (
            _required_modules(override)
            if override is not None and override.has("required_modules")
            else rule
        )
        count_at = override if override is not None and override.has("question_count") else None
        count_loc = (
            count_at.child("question_count").loc
            if count_at is not None
            else top.child("exam").child("question_count").loc
        )
        if role is not None:
            tracks.append(
                TrackSpec(
                    Ref(role, item.child("role").loc),
                    title,
                    modules,
                    track_exam,
                    count_loc,
                    track_rule,
                )
            )
    return tracks


def _certification(section: Cursor | None) -> CertificationPolicy:
    if section is None:
        return CertificationPolicy()
    return CertificationPolicy(
        validity_months=section.integer("validity_months", 18, lo=1, required=False),
        recert_window_days=section.integer("recert_window_days", 60, lo=0, required=False),
    )


def _release(section: Cursor | None) -> ReleasePolicy:
    if section is None:
        return ReleasePolicy((), (), False)
    requirements: list[Requirement] = []
    for item in section.items("requirements", min_items=1):
        if not item.is_mapping({"role", "count"}):
            continue
        role = item.ident("role", ROLE_PATTERN)
        count = item.integer("count", 1, lo=1, required=False)
        if role is not None:
            requirements.append(Requirement(Ref(role, item.child("role").loc), count))
    tooling = tuple(
        Ref(ident, entry.loc)
        for entry in section.items("tooling", min_items=1)
        if (ident := entry.as_ident()) is not None
    )
    return ReleasePolicy(tuple(requirements), tooling, section.boolean("revoke_on_lapse", False))


def _overrides(
    root: Path, directory: Path, errors: ContentErrors
) -> tuple[tuple[LessonOverride, ...], tuple[QuestionOverride, ...]]:
    path = directory / OVERRIDES_FILE
    if not path.is_file():
        return (), ()
    doc = read_yaml(root, path, errors)
    if doc is None:
        return (), ()
    top = Cursor.root(doc, errors)
    if not top.is_mapping({"lessons", "questions"}):
        return (), ()
    lessons = [
        found
        for item in top.items("lessons", required=False)
        if (found := _lesson_override(root, directory, item)) is not None
    ]
    questions = [
        override
        for item in top.items("questions", required=False)
        if (override := _question_override(item)) is not None
    ]
    return tuple(lessons), tuple(questions)


def _lesson_override(root: Path, directory: Path, item: Cursor) -> LessonOverride | None:
    if not item.is_mapping({"id", "action", "title", "file", "markdown"}):
        return None
    target = item.ident("id")
    action = item.choice("action", ("replace", "amend"), "amend", required=True)
    title = item.text("title", required=False) or None
    if item.has("file") == item.has("markdown"):
        item.fail("needs exactly one of 'file' (a Markdown file) or 'markdown' (inline text)")
        markdown = None
    elif item.has("file"):
        markdown = markdown_file(root, directory, item, "file")
    else:
        inline = item.text("markdown")
        markdown = normalise_markdown(inline) if inline else None
    if target is None or markdown is None:
        return None
    kind: Literal["replace", "amend"] = "replace" if action == "replace" else "amend"
    return LessonOverride(Ref(target, item.loc), kind, title, markdown)


def _question_override(item: Cursor) -> QuestionOverride | None:
    if not item.is_mapping({"id", "action", "question", "set", "reason"}):
        return None
    target = item.ident("id")
    action = item.choice("action", ("replace", "amend", "remove"), "remove", required=True)
    item.text("reason", required=False)
    if target is None:
        return None
    ref = Ref(target, item.loc)
    if action == "replace":
        if not item.has("question"):
            item.fail("with action replace needs 'question': the whole new question")
            return None
        question = parse_question(item.child("question"), fixed_id=target)
        return None if question is None else QuestionOverride(ref, "replace", question=question)
    if action == "amend":
        if not item.has("set"):
            item.fail("with action amend needs 'set': the fields to change")
            return None
        return QuestionOverride(ref, "amend", patch=parse_patch(item.child("set")))
    for extra in ("question", "set"):
        if item.has(extra):
            item.child(extra).fail("is not used by action remove")
    return QuestionOverride(ref, "remove")
