"""What changed between two published catalogue versions, module by module, and its rendering."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from catalogue.domain.resolved import (
    ResolvedCatalogue,
    ResolvedJurisdiction,
    ResolvedModule,
    ResolvedTrack,
    certification_dict,
    exam_dict,
)
from catalogue.domain.snapshot import from_snapshot
from catalogue.domain.versions import short

Scope = Literal["jurisdiction", "release_policy", "track", "module"]
Kind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class IdChanges:
    """Ids of lessons or questions added, removed or changed (same id, new content)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class Change:
    scope: Scope
    kind: Kind
    jurisdiction: str
    track_key: str | None = None
    module_id: str | None = None
    old_version: str | None = None
    new_version: str | None = None
    lessons: IdChanges = field(default_factory=IdChanges)
    questions: IdChanges = field(default_factory=IdChanges)
    fields: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, e.g. for an API response or a stored publication record."""
        return asdict(self)


CatalogueLike = ResolvedCatalogue | Mapping[str, Any]


def diff(old: CatalogueLike, new: CatalogueLike) -> list[Change]:
    """Changes from `old` to `new`; either may be a resolved catalogue or its snapshot."""
    before = old if isinstance(old, ResolvedCatalogue) else from_snapshot(old)
    after = new if isinstance(new, ResolvedCatalogue) else from_snapshot(new)
    changes: list[Change] = []
    old_j = {j.code: j for j in before.jurisdictions}
    new_j = {j.code: j for j in after.jurisdictions}
    for code in sorted(old_j.keys() | new_j.keys()):
        changes.extend(_jurisdiction_changes(old_j.get(code), new_j.get(code)))
        old_t = {t.key: t for t in before.tracks if t.jurisdiction == code}
        new_t = {t.key: t for t in after.tracks if t.jurisdiction == code}
        for key in sorted(old_t.keys() | new_t.keys()):
            changes.extend(_track_changes(code, old_t.get(key), new_t.get(key)))
    return changes


def _jurisdiction_changes(
    old: ResolvedJurisdiction | None, new: ResolvedJurisdiction | None
) -> list[Change]:
    if old is None or new is None:
        present = new or old
        assert present is not None
        kind: Kind = "added" if old is None else "removed"
        return [Change("jurisdiction", kind, present.code)]
    changes: list[Change] = []
    fields = _field_changes(
        {k: v for k, v in old.canonical().items() if k != "release_policy"},
        {k: v for k, v in new.canonical().items() if k != "release_policy"},
    )
    if fields:
        changes.append(Change("jurisdiction", "changed", new.code, fields=fields))
    before, after = old.release_policy, new.release_policy
    if before.version != after.version:
        changes.append(
            Change(
                "release_policy",
                "changed",
                new.code,
                old_version=before.version,
                new_version=after.version,
                fields=_field_changes(before.canonical(), after.canonical()),
            )
        )
    return changes


def _track_changes(code: str, old: ResolvedTrack | None, new: ResolvedTrack | None) -> list[Change]:
    if old is None or new is None:
        present = new or old
        assert present is not None
        kind: Kind = "added" if old is None else "removed"
        return [
            Change(
                "track",
                kind,
                code,
                present.key,
                old_version=_version_of(old),
                new_version=_version_of(new),
            )
        ]
    if old.version == new.version:
        return []
    rule_written = old.exam.required_modules is not None or new.exam.required_modules is not None
    fields = _field_changes(
        {
            "title": old.title,
            "exam": _exam_view(old, rule_written),
            "certification": certification_dict(old.certification),
        },
        {
            "title": new.title,
            "exam": _exam_view(new, rule_written),
            "certification": certification_dict(new.certification),
        },
    )
    old_ids = [m.id for m in old.modules]
    new_ids = [m.id for m in new.modules]
    shared = [i for i in old_ids if i in new_ids]
    if shared != [i for i in new_ids if i in old_ids]:
        fields = (*fields, f"module order: {', '.join(old_ids)} -> {', '.join(new_ids)}")
    changes = [
        Change(
            "track",
            "changed",
            code,
            new.key,
            old_version=old.version,
            new_version=new.version,
            fields=fields,
        )
    ]
    old_m = {m.id: m for m in old.modules}
    new_m = {m.id: m for m in new.modules}
    for module_id in [*new_ids, *(i for i in old_ids if i not in new_m)]:
        change = _module_change(code, new.key, old_m.get(module_id), new_m.get(module_id))
        if change is not None:
            changes.append(change)
    return changes


def _exam_view(track: ResolvedTrack, rule_written: bool) -> dict[str, object]:
    """The exam, with the modules required before it as a list when either side wrote a rule."""
    view = exam_dict(track.exam)
    if rule_written:
        view["required_modules"] = list(track.required_modules)
    return view


def _module_change(
    code: str, key: str, old: ResolvedModule | None, new: ResolvedModule | None
) -> Change | None:
    if old is not None and new is not None and old.version == new.version:
        return None
    present = new or old
    assert present is not None
    kind: Kind = "added" if old is None else ("removed" if new is None else "changed")
    if old is None or new is None:
        return Change(
            "module",
            kind,
            code,
            key,
            present.id,
            old_version=_version_of(old),
            new_version=_version_of(new),
        )
    return Change(
        "module",
        kind,
        code,
        key,
        new.id,
        old_version=old.version,
        new_version=new.version,
        lessons=_id_changes(
            {x.id: x.version for x in old.lessons}, {x.id: x.version for x in new.lessons}
        ),
        questions=_id_changes(
            {x.id: x.version for x in old.questions}, {x.id: x.version for x in new.questions}
        ),
        fields=_field_changes(
            {"title": old.title, "summary": old.summary, "declared_version": old.declared_version},
            {"title": new.title, "summary": new.summary, "declared_version": new.declared_version},
        ),
    )


def _version_of(part: ResolvedTrack | ResolvedModule | None) -> str | None:
    return None if part is None else part.version


def _id_changes(old: Mapping[str, str], new: Mapping[str, str]) -> IdChanges:
    return IdChanges(
        added=tuple(i for i in new if i not in old),
        removed=tuple(i for i in old if i not in new),
        changed=tuple(i for i in new if i in old and old[i] != new[i]),
    )


def _field_changes(old: Mapping[str, object], new: Mapping[str, object]) -> tuple[str, ...]:
    """`exam.pass_mark: 80 -> 85` for every leaf that differs."""
    found: list[str] = []
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name), new.get(name)
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            found.extend(f"{name}.{leaf}" for leaf in _field_changes(before, after))
        elif before != after:
            found.append(f"{name}: {_show(before)} -> {_show(after)}")
    return tuple(found)


def _show(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:57] + "...")
    return repr(value) if isinstance(value, str) else str(value)


_MARK = {"added": "+", "removed": "-", "changed": "~"}


def render_diff(changes: Sequence[Change]) -> str:
    """Plain text for a terminal or a review comment, one change per line, modules indented."""
    if not changes:
        return "no changes"
    lines: list[str] = []
    for change in changes:
        mark = _MARK[change.kind]
        versions = ""
        if change.kind == "changed" and change.old_version and change.new_version:
            versions = f" {short(change.old_version)} -> {short(change.new_version)}"
        elif change.kind != "changed":
            versions = (
                f" ({short(change.new_version or change.old_version)})"
                if (change.new_version or change.old_version)
                else ""
            )
        indent = "    " if change.scope == "module" else ""
        subject = {
            "jurisdiction": f"jurisdiction {change.jurisdiction}",
            "release_policy": f"release policy {change.jurisdiction}",
            "track": f"track {change.track_key}",
            "module": f"module {change.module_id}",
        }[change.scope]
        lines.append(f"{indent}{mark} {subject} {change.kind}{versions}")
        lines.extend(f"{indent}    {item}" for item in change.fields)
        for label, ids in (("lessons", change.lessons), ("questions", change.questions)):
            for kind in ("added", "removed", "changed"):
                picked: tuple[str, ...] = getattr(ids, kind)
                if picked:
                    lines.append(f"{indent}    {label} {kind}: {', '.join(picked)}")
    return "\n".join(lines)
