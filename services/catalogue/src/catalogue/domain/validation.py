"""Cross-reference checks: unique ids, and every reference pointing at something defined."""

from collections.abc import Iterable

from catalogue.domain.errors import ContentErrors, Loc
from catalogue.domain.model import Content, Jurisdiction, Module, Ref, TrackSpec


def check_references(content: Content, errors: ContentErrors) -> None:
    """Record every duplicate id and dangling reference in `content`."""
    meta = content.meta
    _unique("role", ((d.id, d.loc) for d in meta.roles), errors)
    _unique("tooling id", ((d.id, d.loc) for d in meta.tooling), errors)
    modules = content.all_modules()
    _unique("module id", ((m.id, m.loc) for m in modules), errors)
    _unique("lesson id", ((lesson.id, lesson.loc) for m in modules for lesson in m.lessons), errors)
    _unique("question id", ((q.id, q.loc) for m in modules for q in m.questions), errors)
    _unique("jurisdiction code", ((j.code, j.loc) for j in content.jurisdictions), errors)
    for module in modules:
        if module.questions:
            continue
        if module.origin == "core":
            errors.add(module.loc, f"core module '{module.id}' has no questions")
    roles = {d.id for d in meta.roles}
    tooling = {d.id for d in meta.tooling}
    owners = {m.id: m.owner for m in modules}
    for jurisdiction in content.jurisdictions:
        _check_jurisdiction(
            jurisdiction, content.core, roles, tooling, owners, content.unreadable, errors
        )


def _check_jurisdiction(
    jurisdiction: Jurisdiction,
    core: tuple[Module, ...],
    roles: set[str],
    tooling: set[str],
    owners: dict[str, str | None],
    unreadable: frozenset[str],
    errors: ContentErrors,
) -> None:
    code = jurisdiction.code
    track_roles = [track.role for track in jurisdiction.tracks]
    _unique_refs("track for role", track_roles, errors)
    for track in jurisdiction.tracks:
        _known(track.role, roles, "role", "catalogue.yaml roles", errors)
        _unique_refs(f"module in the {track.role.id} track", track.modules, errors)
        for ref in track.modules:
            if ref.id in unreadable and ref.id not in owners:
                continue
            if ref.id not in owners:
                errors.add(ref.loc, f"unknown module '{ref.id}'")
            elif owners[ref.id] not in (None, code):
                errors.add(ref.loc, f"module '{ref.id}' belongs to jurisdiction {owners[ref.id]}")
        _check_required_modules(code, track, errors)
    release = jurisdiction.release
    _unique_refs("requirement for role", [r.role for r in release.requirements], errors)
    _unique_refs("tooling", release.tooling, errors)
    with_track = {ref.id for ref in track_roles}
    for requirement in release.requirements:
        ref = requirement.role
        if _known(ref, roles, "role", "catalogue.yaml roles", errors) and ref.id not in with_track:
            errors.add(
                ref.loc,
                f"release policy requires role '{ref.id}' but {code} has no "
                "track for it, so the policy could never be met",
            )
    for ref in release.tooling:
        _known(ref, tooling, "tooling", "catalogue.yaml tooling", errors)
    core_lessons = {lesson.id for module in core for lesson in module.lessons}
    core_questions = {question.id for module in core for question in module.questions}
    lesson_targets = [o.target for o in jurisdiction.lesson_overrides]
    question_targets = [o.target for o in jurisdiction.question_overrides]
    _unique_refs("override of lesson", lesson_targets, errors)
    _unique_refs("override of question", question_targets, errors)
    for ref in lesson_targets:
        _known(ref, core_lessons, "lesson", "the core modules", errors, what="override of")
    for ref in question_targets:
        _known(ref, core_questions, "question", "the core modules", errors, what="override of")


def _check_required_modules(code: str, track: TrackSpec, errors: ContentErrors) -> None:
    """A completion rule may only name modules of the track it applies to."""
    rule = track.required_modules
    if rule is None:
        return
    taught = [ref.id for ref in track.modules]
    unknown = [ref for ref in rule.modules if ref.id not in taught]
    if unknown:
        names = ", ".join(f"'{ref.id}'" for ref in unknown)
        errors.add(
            unknown[0].loc,
            f"{rule.field} names modules the {code}.{track.role.id} track does not have: "
            f"{names} (its modules: {', '.join(taught)})",
        )


def _known(
    ref: Ref, known: set[str], kind: str, source: str, errors: ContentErrors, *, what: str = ""
) -> bool:
    if ref.id in known:
        return True
    prefix = f"{what} unknown" if what else "unknown"
    errors.add(ref.loc, f"{prefix} {kind} '{ref.id}' (not in {source})")
    return False


def _unique(kind: str, items: Iterable[tuple[str, Loc]], errors: ContentErrors) -> None:
    first: dict[str, Loc] = {}
    for ident, loc in items:
        if ident in first:
            seen = first[ident]
            at = f"{seen.path}:{seen.line}" if seen.line else seen.path
            errors.add(loc, f"duplicate {kind} '{ident}' (first defined at {at})")
        else:
            first[ident] = loc


def _unique_refs(kind: str, refs: Iterable[Ref], errors: ContentErrors) -> None:
    _unique(kind, ((ref.id, ref.loc) for ref in refs), errors)
