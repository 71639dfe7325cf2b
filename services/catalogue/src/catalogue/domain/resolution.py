"""Apply a jurisdiction's overrides to the core modules and assemble its tracks."""

from dataclasses import replace

from catalogue.domain.errors import ContentErrors
from catalogue.domain.model import (
    Content,
    Jurisdiction,
    Lesson,
    LessonOverride,
    Module,
    ModuleRule,
    Question,
    QuestionOverride,
)
from catalogue.domain.questions import apply_patch, question_problems
from catalogue.domain.resolved import (
    Named,
    ResolvedCatalogue,
    ResolvedJurisdiction,
    ResolvedLesson,
    ResolvedModule,
    ResolvedQuestion,
    ResolvedReleasePolicy,
    ResolvedTrack,
)


def resolve_content(content: Content, errors: ContentErrors) -> ResolvedCatalogue:
    """Resolve every jurisdiction; problems only visible after overrides go to `errors`.

    References already reported by validation (unknown modules, override targets) are skipped.
    """
    meta = content.meta
    role_titles = {role.id: role.title for role in meta.roles}
    jurisdictions: list[ResolvedJurisdiction] = []
    tracks: list[ResolvedTrack] = []
    for jurisdiction in sorted(content.jurisdictions, key=lambda j: j.code):
        modules = _modules_for(jurisdiction, content.core, errors)
        for spec in jurisdiction.tracks:
            role = spec.role.id
            taught = tuple(modules[ref.id] for ref in spec.modules if ref.id in modules)
            required = _required_modules(spec.required_modules, taught)
            track = ResolvedTrack(
                jurisdiction=jurisdiction.code,
                role=role,
                title=spec.title or f"{jurisdiction.name}: {role_titles.get(role, role)}",
                modules=taught,
                exam=replace(spec.exam, required_modules=required),
                certification=jurisdiction.certification,
            )
            pool = len(track.question_pool)
            complete = not any(ref.id in content.unreadable for ref in spec.modules)
            if complete and spec.exam.question_count > pool:
                errors.add(
                    spec.question_count_loc,
                    f"exam for {track.key} asks for {spec.exam.question_count} questions "
                    f"but its pool has only {pool}",
                )
            tracks.append(track)
        jurisdictions.append(_jurisdiction(jurisdiction))
    return ResolvedCatalogue(
        id=meta.id,
        title=meta.title,
        notice=meta.notice,
        roles=tuple(Named(d.id, d.title) for d in meta.roles),
        tooling=tuple(Named(d.id, d.title) for d in meta.tooling),
        jurisdictions=tuple(jurisdictions),
        tracks=tuple(tracks),
    )


def _required_modules(
    rule: ModuleRule | None, taught: tuple[ResolvedModule, ...]
) -> tuple[str, ...] | None:
    """The rule in track order; None when it requires every module (the default, however written).

    So the same rule always gives the same track version, whether or not it is spelled out.
    """
    if rule is None:
        return None
    named = {ref.id for ref in rule.modules}
    every = tuple(module.id for module in taught)
    chosen = tuple(module_id for module_id in every if module_id in named)
    return None if chosen == every else chosen


def _jurisdiction(jurisdiction: Jurisdiction) -> ResolvedJurisdiction:
    release = jurisdiction.release
    policy = ResolvedReleasePolicy(
        jurisdiction=jurisdiction.code,
        requirements=tuple((r.role.id, r.count) for r in release.requirements),
        tooling=tuple(ref.id for ref in release.tooling),
        revoke_on_lapse=release.revoke_on_lapse,
    )
    return ResolvedJurisdiction(
        code=jurisdiction.code,
        name=jurisdiction.name,
        regulator=jurisdiction.regulator,
        summary=jurisdiction.summary,
        roles=tuple(track.role.id for track in jurisdiction.tracks),
        release_policy=policy,
    )


def _modules_for(
    jurisdiction: Jurisdiction, core: tuple[Module, ...], errors: ContentErrors
) -> dict[str, ResolvedModule]:
    """The core modules as this jurisdiction overrides them, plus its own modules, by id."""
    lessons = {o.target.id: o for o in jurisdiction.lesson_overrides}
    questions = {o.target.id: o for o in jurisdiction.question_overrides}
    resolved: dict[str, ResolvedModule] = {}
    for module in core:
        resolved.setdefault(module.id, _module(module, lessons, questions, errors))
    for module in jurisdiction.modules:
        resolved.setdefault(module.id, _module(module, {}, {}, errors))
    return resolved


def _module(
    module: Module,
    lesson_overrides: dict[str, LessonOverride],
    question_overrides: dict[str, QuestionOverride],
    errors: ContentErrors,
) -> ResolvedModule:
    lessons = tuple(_lesson(lesson, lesson_overrides.get(lesson.id)) for lesson in module.lessons)
    questions: list[ResolvedQuestion] = []
    for question in module.questions:
        override = question_overrides.get(question.id)
        result = _question(question, override, errors) if override else question
        if result is not None:
            questions.append(
                ResolvedQuestion(
                    id=result.id,
                    module_id=module.id,
                    kind=result.kind,
                    text=result.text,
                    options=result.options,
                    correct=result.correct,
                    explanation=result.explanation,
                )
            )
    return ResolvedModule(
        id=module.id,
        title=module.title,
        summary=module.summary,
        declared_version=module.version,
        origin=module.origin,
        lessons=lessons,
        questions=tuple(questions),
    )


def _lesson(lesson: Lesson, override: LessonOverride | None) -> ResolvedLesson:
    if override is None:
        return ResolvedLesson(lesson.id, lesson.title, lesson.body)
    title = override.title or lesson.title
    if override.action == "replace":
        return ResolvedLesson(lesson.id, title, override.markdown)
    return ResolvedLesson(lesson.id, title, lesson.body.rstrip("\n") + "\n\n" + override.markdown)


def _question(
    question: Question, override: QuestionOverride, errors: ContentErrors
) -> Question | None:
    if override.action == "remove":
        return None
    if override.action == "replace":
        return override.question or question
    if override.patch is None:
        return question
    patched = apply_patch(question, override.patch)
    for problem in question_problems(patched.kind, patched.options, patched.correct):
        errors.add(override.target.loc, f"amended question '{question.id}' {problem}")
    return patched
