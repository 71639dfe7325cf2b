"""`exam.required_modules`: what staff must complete before an attempt, validated and versioned."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from catalogue_builders import copy_bundled, errors_of, line_of, minimal_content, resolved

from catalogue.domain.diff import diff
from catalogue.domain.publishing import track_published
from catalogue.domain.resolved import ResolvedCatalogue, ResolvedTrack
from catalogue.domain.snapshot import from_snapshot, snapshot
from catalogue.entrypoints.schemas import TrackView

JURISDICTION = "jurisdictions/TST/jurisdiction.yaml"
TRACKS = """\
tracks:
  - role: compliance_officer
    modules: [core-a, tst-local]
  - role: mlro
    modules: [tst-local, core-a]
"""
#: The MLRO track without the jurisdiction's own module.
NARROW_MLRO = """\
tracks:
  - role: compliance_officer
    modules: [core-a, tst-local]
  - role: mlro
    modules: [core-a]
"""
OFFICER_MODULES = "(its modules: core-a, tst-local)"


def _content(root: Path, *, exam_rule: str = "", tracks: str = TRACKS) -> Path:
    """Testland with two tracks; `exam_rule` is added to the jurisdiction's exam block."""
    minimal_content(root)
    path = root / JURISDICTION
    text = path.read_text()
    start, end = text.index("tracks:\n"), text.index("release_policy:")
    text = text[:start] + tracks + text[end:]
    if exam_rule:
        text = text.replace("  feedback: score\n", f"  feedback: score\n{exam_rule}")
    path.write_text(text)
    return root


def _rule(line: str) -> str:
    return f"  required_modules: {line}\n"


def _event_rule(catalogue: ResolvedCatalogue, track: ResolvedTrack) -> list[str] | None:
    event = track_published(
        track,
        jurisdiction=catalogue.jurisdiction(track.jurisdiction),
        catalogue_version=catalogue.version,
        published_at=datetime(2026, 11, 24, tzinfo=UTC),
    )
    return event.exam.required_modules


def _published(catalogue: ResolvedCatalogue, role: str) -> list[str] | None:
    return _event_rule(catalogue, catalogue.track("TST", role))


def test_without_a_rule_every_module_is_required_in_track_order(tmp_path: Path) -> None:
    catalogue = resolved(_content(tmp_path))
    assert _published(catalogue, "compliance_officer") == ["core-a", "tst-local"]
    assert _published(catalogue, "mlro") == ["tst-local", "core-a"]
    assert catalogue.track("TST", "mlro").exam.required_modules is None


def test_every_bundled_track_publishes_all_its_modules_as_required(tmp_path: Path) -> None:
    catalogue = resolved(copy_bundled(tmp_path))
    for track in catalogue.tracks:
        assert _event_rule(catalogue, track) == [m.id for m in track.modules]


def test_a_jurisdiction_rule_applies_to_every_track_in_each_tracks_order(tmp_path: Path) -> None:
    catalogue = resolved(_content(tmp_path, exam_rule=_rule("[core-a]")))
    assert _published(catalogue, "compliance_officer") == ["core-a"]
    assert _published(catalogue, "mlro") == ["core-a"]


def test_a_track_rule_wins_over_the_jurisdictions(tmp_path: Path) -> None:
    tracks = TRACKS + "    exam:\n      required_modules: [tst-local]\n"
    catalogue = resolved(_content(tmp_path, exam_rule=_rule("[core-a]"), tracks=tracks))
    assert _published(catalogue, "compliance_officer") == ["core-a"]
    assert _published(catalogue, "mlro") == ["tst-local"]


def test_an_empty_rule_requires_nothing_before_the_exam(tmp_path: Path) -> None:
    catalogue = resolved(_content(tmp_path, exam_rule=_rule("[]")))
    assert _published(catalogue, "compliance_officer") == []


def test_a_rule_is_published_in_track_order_whatever_order_it_was_written_in(
    tmp_path: Path,
) -> None:
    catalogue = resolved(_content(tmp_path, exam_rule=_rule("[tst-local, core-a]")))
    assert _published(catalogue, "compliance_officer") == ["core-a", "tst-local"]
    assert _published(catalogue, "mlro") == ["tst-local", "core-a"]


def test_a_jurisdiction_rule_naming_a_module_one_track_lacks_is_refused(tmp_path: Path) -> None:
    root = _content(tmp_path, exam_rule=_rule("[core-a, tst-local]"), tracks=NARROW_MLRO)
    line = line_of(root / JURISDICTION, "required_modules")
    assert errors_of(root) == [
        f"{JURISDICTION}:{line}: exam.required_modules names modules the TST.mlro track does "
        "not have: 'tst-local' (its modules: core-a)"
    ]


def test_a_rule_naming_unknown_modules_lists_every_one_for_every_track(tmp_path: Path) -> None:
    root = _content(tmp_path, exam_rule=_rule("[core-a, kyc-cdd, tst-lcoal]"))
    line = line_of(root / JURISDICTION, "required_modules")
    unknown = "'kyc-cdd', 'tst-lcoal'"
    assert errors_of(root) == [
        f"{JURISDICTION}:{line}: exam.required_modules names modules the "
        f"TST.compliance_officer track does not have: {unknown} {OFFICER_MODULES}",
        f"{JURISDICTION}:{line}: exam.required_modules names modules the "
        f"TST.mlro track does not have: {unknown} (its modules: tst-local, core-a)",
    ]


def test_a_track_rule_naming_a_module_the_track_lacks_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    tracks = TRACKS.replace(
        "modules: [core-a, tst-local]\n",
        "modules: [core-a, tst-local]\n"
        "    exam:\n      required_modules:\n        - core-a\n        - tst-lcoal\n",
    )
    root = _content(tmp_path, tracks=tracks)
    line = line_of(root / JURISDICTION, "- tst-lcoal")
    assert errors_of(root) == [
        f"{JURISDICTION}:{line}: tracks[0].exam.required_modules names modules the "
        f"TST.compliance_officer track does not have: 'tst-lcoal' {OFFICER_MODULES}"
    ]


def test_a_track_rule_also_spares_it_the_jurisdictions_bad_rule(tmp_path: Path) -> None:
    """The refusal is per track: a track with its own valid rule is not blamed."""
    tracks = NARROW_MLRO + "    exam:\n      required_modules: [core-a]\n"
    root = _content(tmp_path, exam_rule=_rule("[tst-local]"), tracks=tracks)
    assert errors_of(root) == []


@pytest.mark.parametrize(
    ("value", "got"),
    [("core-a", "str 'core-a'"), ("", "nothing"), ("{core-a: true}", "a mapping")],
)
def test_a_rule_that_is_not_a_list_is_refused(tmp_path: Path, value: str, got: str) -> None:
    root = _content(tmp_path, exam_rule=_rule(value))
    line = line_of(root / JURISDICTION, "required_modules")
    assert errors_of(root) == [
        f"{JURISDICTION}:{line}: exam.required_modules must be a list of module ids (leave it "
        f"out to require every module of the track), got {got}"
    ]


def test_ill_formed_and_repeated_module_ids_are_refused(tmp_path: Path) -> None:
    root = _content(tmp_path, exam_rule=_rule("[core-a, 42, Core-A, core-a]"))
    line = line_of(root / JURISDICTION, "required_modules")
    errors = errors_of(root)
    assert len(errors) == 3, errors
    assert errors[0].startswith(f"{JURISDICTION}:{line}: exam.required_modules[1] must match ")
    assert errors[0].endswith("got int 42")
    assert errors[1].endswith("got str 'Core-A'")
    assert errors[2] == (
        f"{JURISDICTION}:{line}: exam.required_modules[3] names module 'core-a' twice"
    )


def test_the_rule_is_part_of_the_track_version(tmp_path: Path) -> None:
    default = resolved(_content(tmp_path / "a"))
    one = resolved(_content(tmp_path / "b", exam_rule=_rule("[tst-local]")))
    other = resolved(_content(tmp_path / "c", exam_rule=_rule("[core-a]")))
    for role in ("compliance_officer", "mlro"):
        versions = {c.track("TST", role).version for c in (default, one, other)}
        assert len(versions) == 3, role
    assert len({default.version, one.version, other.version}) == 3
    assert one.release_policies == default.release_policies


def test_spelling_out_every_module_keeps_the_default_version(tmp_path: Path) -> None:
    default = resolved(_content(tmp_path / "a"))
    written = resolved(_content(tmp_path / "b", exam_rule=_rule("[tst-local, core-a]")))
    assert written.version == default.version


def test_a_rule_survives_a_snapshot_and_shows_in_the_diff(tmp_path: Path) -> None:
    default = resolved(_content(tmp_path / "a"))
    ruled = resolved(_content(tmp_path / "b", exam_rule=_rule("[tst-local]")))
    reloaded = from_snapshot(snapshot(ruled))
    assert reloaded.version == ruled.version
    assert reloaded.track("TST", "compliance_officer").required_modules == ("tst-local",)
    [change] = [c for c in diff(default, ruled) if c.track_key == "TST.compliance_officer"]
    assert change.fields == ("exam.required_modules: ['core-a', 'tst-local'] -> ['tst-local']",)


def test_a_snapshot_without_a_rule_loads_with_every_module_required(tmp_path: Path) -> None:
    """Snapshots stored before the rule existed have no `required_modules`; they still verify."""
    catalogue = resolved(_content(tmp_path))
    stored = snapshot(catalogue)
    assert all("required_modules" not in track["exam"] for track in stored["tracks"])
    reloaded = from_snapshot(stored)
    assert reloaded.version == catalogue.version
    assert reloaded.track("TST", "mlro").required_modules == ("tst-local", "core-a")


def test_the_read_api_view_shows_the_resolved_rule(tmp_path: Path) -> None:
    ruled = resolved(_content(tmp_path / "a", exam_rule=_rule("[tst-local]")))
    default = resolved(_content(tmp_path / "b"))
    view = TrackView.of(ruled.track("TST", "compliance_officer"))
    assert view.exam.required_modules == ["tst-local"]
    assert TrackView.of(default.track("TST", "mlro")).exam.required_modules == [
        "tst-local",
        "core-a",
    ]
