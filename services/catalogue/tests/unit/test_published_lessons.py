"""track.published carries every lesson as served (overrides applied) with its content digests."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from catalogue_builders import append, copy_bundled, minimal_content, resolved, write

from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain.content import resolve
from catalogue.domain.publishing import publication_events, track_published
from catalogue.domain.resolved import ResolvedCatalogue, ResolvedTrack
from catalogue.entrypoints.schemas import TrackView
from contracts.catalogue import LessonRef, TrackPublished

AT = datetime(2026, 11, 24, 10, 15, tzinfo=UTC)
CATALOGUE = resolve(BUNDLED_CONTENT_DIR)
CORE_REPORTING = "core/modules/transaction-monitoring/lessons/03-reporting-suspicion.md"
GCB_OVERRIDE = "jurisdictions/GCB/overrides/tm-reporting-suspicion-curacao.md"
REPORTING = "tm-reporting-suspicion"


def _event(track: ResolvedTrack, catalogue: ResolvedCatalogue = CATALOGUE) -> TrackPublished:
    return track_published(
        track,
        jurisdiction=catalogue.jurisdiction(track.jurisdiction),
        catalogue_version=catalogue.version,
        published_at=AT,
    )


def _lesson(event: TrackPublished, lesson_id: str) -> LessonRef:
    return next(x for m in event.modules for x in m.lessons if x.id == lesson_id)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digests(catalogue: ResolvedCatalogue) -> dict[tuple[str, str], str]:
    """(track key, lesson or module id) -> digest, for every lesson and module published."""
    found: dict[tuple[str, str], str] = {}
    for track in catalogue.tracks:
        for module in _event(track, catalogue).modules:
            assert module.digest is not None
            found[(track.key, module.id)] = module.digest
            for lesson in module.lessons:
                assert lesson.digest is not None
                found[(track.key, lesson.id)] = lesson.digest
    return found


def _teaching(catalogue: ResolvedCatalogue, module_id: str, jurisdiction: str = "") -> set[str]:
    return {
        t.key
        for t in catalogue.tracks
        if module_id in {m.id for m in t.modules} and t.jurisdiction.startswith(jurisdiction)
    }


def test_every_bundled_lesson_is_published_with_the_markdown_the_read_api_serves() -> None:
    for track in CATALOGUE.tracks:
        event = _event(track)
        served = {x.id: x.markdown for m in TrackView.of(track).modules for x in m.lessons}
        published = [x for m in event.modules for x in m.lessons]
        assert [x.id for x in published] == list(served)
        for lesson in published:
            assert lesson.markdown == served[lesson.id]
            assert lesson.digest == _sha256(served[lesson.id])


def test_every_module_digest_hashes_its_lesson_digests_one_per_line_in_order() -> None:
    for track in CATALOGUE.tracks:
        for module in _event(track).modules:
            lines = "\n".join(str(x.digest) for x in module.lessons)
            assert module.lessons
            assert module.digest == _sha256(lines)


def test_an_amended_lesson_is_published_with_the_jurisdictions_text() -> None:
    override = (BUNDLED_CONTENT_DIR / GCB_OVERRIDE).read_text(encoding="utf-8").strip()
    core = (BUNDLED_CONTENT_DIR / CORE_REPORTING).read_text(encoding="utf-8").strip()
    gcb = _lesson(_event(CATALOGUE.track("GCB", "compliance_officer")), REPORTING)
    mga = _lesson(_event(CATALOGUE.track("MGA", "compliance_officer")), REPORTING)
    assert gcb.markdown is not None
    assert gcb.markdown.startswith(core.split("\n\n")[0] + "\n")
    assert gcb.markdown.rstrip("\n").endswith(override)
    assert gcb.title == "Reporting: internal reports, the MLRO and unusual transaction reports"
    assert override not in str(mga.markdown)
    assert gcb.digest != mga.digest


def test_a_replaced_lesson_is_published_as_the_override_text_alone(tmp_path: Path) -> None:
    root = minimal_content(tmp_path)
    write(
        root,
        "jurisdictions/TST/overrides.yaml",
        """\
        lessons:
          - id: ca-l1
            action: replace
            file: overrides/ca-l1-testland.md
        """,
    )
    write(root, "jurisdictions/TST/overrides/ca-l1-testland.md", "# Testland\n\nOnly this.  \n\n")
    catalogue = resolved(root)
    lesson = _lesson(_event(catalogue.track("TST", "compliance_officer"), catalogue), "ca-l1")
    assert lesson.markdown == "# Testland\n\nOnly this.\n"
    assert lesson.digest == _sha256("# Testland\n\nOnly this.\n")


def test_digests_are_the_same_every_time_and_wherever_the_content_lives(tmp_path: Path) -> None:
    here, there = copy_bundled(tmp_path / "a"), copy_bundled(tmp_path / "b")
    assert _digests(resolved(here)) == _digests(resolved(here)) == _digests(resolved(there))


def test_changing_an_override_changes_only_that_jurisdictions_lesson_and_module_digests(
    tmp_path: Path,
) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    append(root / GCB_OVERRIDE, "\nOne more paragraph for Curaçao.\n")
    after = resolved(root)
    old, new = _digests(before), _digests(after)
    changed = {key for key in old if old[key] != new[key]}
    gcb = _teaching(before, "transaction-monitoring", "GCB")
    assert gcb
    assert changed == {(k, REPORTING) for k in gcb} | {(k, "transaction-monitoring") for k in gcb}


def test_changing_a_core_lesson_changes_its_digest_in_every_track_that_teaches_it(
    tmp_path: Path,
) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    append(root / CORE_REPORTING, "\nA new core paragraph.\n")
    old, new = _digests(before), _digests(resolved(root))
    changed = {key for key in old if old[key] != new[key]}
    users = _teaching(before, "transaction-monitoring")
    assert changed == {(k, REPORTING) for k in users} | {
        (k, "transaction-monitoring") for k in users
    }


def test_a_new_lesson_title_changes_the_lesson_version_but_not_the_text_digest(
    tmp_path: Path,
) -> None:
    root = minimal_content(tmp_path)
    before = resolved(root).track("TST", "compliance_officer")
    path = root / "core/modules/core-a/module.yaml"
    path.write_text(path.read_text().replace("title: Lesson ca-l1", "title: Renamed"))
    after = resolved(root).track("TST", "compliance_officer")
    old, new = before.modules[0].lessons[0], after.modules[0].lessons[0]
    assert old.version != new.version
    assert (old.digest, before.modules[0].digest) == (new.digest, after.modules[0].digest)


def test_track_published_names_the_jurisdiction_and_its_regulator() -> None:
    events = publication_events(CATALOGUE, published_at=AT)
    tracks = [e for e in events if isinstance(e, TrackPublished)]
    assert len(tracks) == len(CATALOGUE.tracks)
    for event in tracks:
        jurisdiction = CATALOGUE.jurisdiction(event.jurisdiction)
        assert event.jurisdiction_name == jurisdiction.name
        assert event.regulator == jurisdiction.regulator
    gsc = next(e for e in tracks if e.track_key == "GSC.mlro")
    assert (gsc.jurisdiction_name, gsc.regulator) == (
        "Isle of Man",
        "Isle of Man Gambling Supervision Commission (GSC)",
    )
