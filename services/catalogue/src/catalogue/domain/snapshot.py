"""A resolved catalogue as JSON-ready data (stored per published version) and back again."""

from collections.abc import Mapping
from typing import Any

from catalogue.domain.model import CertificationPolicy, ExamPolicy, Option
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

SNAPSHOT_FORMAT = "academy-catalogue-snapshot/1"


class SnapshotError(ValueError):
    """A stored snapshot is malformed or its content does not match its recorded versions."""


def snapshot(catalogue: ResolvedCatalogue) -> dict[str, Any]:
    """Modules are stored once per content version and referenced from tracks by version."""
    modules = {m.version: m.canonical() for track in catalogue.tracks for m in track.modules}
    return {
        "format": SNAPSHOT_FORMAT,
        "version": catalogue.version,
        "catalogue": {"id": catalogue.id, "title": catalogue.title, "notice": catalogue.notice},
        "roles": [{"id": r.id, "title": r.title} for r in catalogue.roles],
        "tooling": [{"id": t.id, "title": t.title} for t in catalogue.tooling],
        "jurisdictions": [
            {
                **j.canonical(),
                "release_policy": {
                    **j.release_policy.canonical(),
                    "version": j.release_policy.version,
                },
            }
            for j in catalogue.jurisdictions
        ],
        "tracks": [
            {
                **track.canonical(),
                "modules": [m.version for m in track.modules],
                "version": track.version,
            }
            for track in catalogue.tracks
        ],
        "modules": dict(sorted(modules.items())),
    }


def from_snapshot(data: Mapping[str, Any]) -> ResolvedCatalogue:
    """Rebuild a catalogue and check every recorded version against the content it names."""
    if data.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f"not a catalogue snapshot (format {data.get('format')!r})")
    try:
        modules = {key: _module(value) for key, value in data["modules"].items()}
        for key, module in modules.items():
            _expect(module.version, key, f"module {module.id}")
        tracks = tuple(_track(item, modules) for item in data["tracks"])
        catalogue = ResolvedCatalogue(
            id=str(data["catalogue"]["id"]),
            title=str(data["catalogue"]["title"]),
            notice=str(data["catalogue"]["notice"]),
            roles=tuple(Named(str(r["id"]), str(r["title"])) for r in data["roles"]),
            tooling=tuple(Named(str(t["id"]), str(t["title"])) for t in data["tooling"]),
            jurisdictions=tuple(_jurisdiction(item) for item in data["jurisdictions"]),
            tracks=tracks,
        )
        _expect(catalogue.version, data["version"], "catalogue")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, SnapshotError):
            raise
        raise SnapshotError(f"malformed catalogue snapshot: {exc!r}") from exc
    return catalogue


def _expect(actual: str, recorded: object, what: str) -> None:
    if actual != recorded:
        raise SnapshotError(f"{what}: content hashes to {actual}, snapshot says {recorded}")


def _module(data: Mapping[str, Any]) -> ResolvedModule:
    origin = data["origin"]
    if origin not in ("core", "jurisdiction"):
        raise SnapshotError(f"module {data['id']}: unknown origin {origin!r}")
    return ResolvedModule(
        id=str(data["id"]),
        title=str(data["title"]),
        summary=str(data["summary"]),
        declared_version=str(data["declared_version"]),
        origin="core" if origin == "core" else "jurisdiction",
        lessons=tuple(
            ResolvedLesson(str(x["id"]), str(x["title"]), str(x["body"])) for x in data["lessons"]
        ),
        questions=tuple(_question(q) for q in data["questions"]),
    )


def _question(data: Mapping[str, Any]) -> ResolvedQuestion:
    kind = data["kind"]
    if kind not in ("single", "multiple"):
        raise SnapshotError(f"question {data['id']}: unknown kind {kind!r}")
    return ResolvedQuestion(
        id=str(data["id"]),
        module_id=str(data["module_id"]),
        kind="single" if kind == "single" else "multiple",
        text=str(data["text"]),
        options=tuple(Option(str(o["id"]), str(o["text"])) for o in data["options"]),
        correct=tuple(str(c) for c in data["correct"]),
        explanation=str(data["explanation"]),
    )


def _track(data: Mapping[str, Any], modules: Mapping[str, ResolvedModule]) -> ResolvedTrack:
    exam, cert = data["exam"], data["certification"]
    feedback = exam["feedback"]
    if feedback not in ("none", "score", "per_question"):
        raise SnapshotError(f"track {data['key']}: unknown feedback {feedback!r}")
    track = ResolvedTrack(
        jurisdiction=str(data["jurisdiction"]),
        role=str(data["role"]),
        title=str(data["title"]),
        modules=tuple(modules[version] for version in data["modules"]),
        exam=ExamPolicy(
            question_count=int(exam["question_count"]),
            pass_mark=int(exam["pass_mark"]),
            time_limit_minutes=int(exam["time_limit_minutes"]),
            attempt_limit=int(exam["attempt_limit"]),
            cooldown_hours=float(exam["cooldown_hours"]),
            feedback=feedback,
            required_modules=_required_modules(exam.get("required_modules")),
        ),
        certification=CertificationPolicy(
            validity_months=int(cert["validity_months"]),
            recert_window_days=int(cert["recert_window_days"]),
        ),
    )
    _expect(track.version, data["version"], f"track {track.key}")
    return track


def _required_modules(value: object) -> tuple[str, ...] | None:
    """Absent (every module, and every snapshot stored before the rule existed) or a list."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise SnapshotError(f"exam.required_modules must be a list, got {value!r}")
    return tuple(str(module_id) for module_id in value)


def _jurisdiction(data: Mapping[str, Any]) -> ResolvedJurisdiction:
    policy_data = data["release_policy"]
    policy = ResolvedReleasePolicy(
        jurisdiction=str(policy_data["jurisdiction"]),
        requirements=tuple((str(r["role"]), int(r["count"])) for r in policy_data["requirements"]),
        tooling=tuple(str(t) for t in policy_data["tooling"]),
        revoke_on_lapse=bool(policy_data["revoke_on_lapse"]),
    )
    _expect(policy.version, policy_data["version"], f"release policy {policy.jurisdiction}")
    return ResolvedJurisdiction(
        code=str(data["code"]),
        name=str(data["name"]),
        regulator=str(data["regulator"]),
        summary=str(data["summary"]),
        roles=tuple(str(r) for r in data["roles"]),
        release_policy=policy,
    )
