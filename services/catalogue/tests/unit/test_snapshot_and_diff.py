"""Snapshots survive JSON storage, and diffs say what changed module by module."""

import json
import shutil
from pathlib import Path

import pytest
from catalogue_builders import append, copy_bundled, resolved

from catalogue.domain.diff import Change, IdChanges, diff, render_diff
from catalogue.domain.snapshot import SnapshotError, from_snapshot, snapshot

MGA_LESSON = "jurisdictions/MGA/modules/mga-aml-cft/lessons/02-fiau-reporting-and-supervision.md"


def _through_json(data: dict[str, object]) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(json.dumps(data))
    return loaded


def test_snapshot_round_trips_through_json(tmp_path: Path) -> None:
    catalogue = resolved(copy_bundled(tmp_path))
    restored = from_snapshot(_through_json(snapshot(catalogue)))
    assert restored == catalogue
    assert restored.version == catalogue.version
    assert [t.version for t in restored.tracks] == [t.version for t in catalogue.tracks]


def test_snapshot_stores_each_module_version_once(tmp_path: Path) -> None:
    catalogue = resolved(copy_bundled(tmp_path))
    data = snapshot(catalogue)
    referenced = {v for track in data["tracks"] for v in track["modules"]}
    assert set(data["modules"]) == referenced
    assert len(referenced) < sum(len(t.modules) for t in catalogue.tracks)


def test_tampered_snapshot_is_refused(tmp_path: Path) -> None:
    data = _through_json(snapshot(resolved(copy_bundled(tmp_path))))
    modules = data["modules"]
    assert isinstance(modules, dict)
    first = next(iter(modules.values()))
    first["lessons"][0]["body"] += "\nsneaky edit\n"
    with pytest.raises(SnapshotError, match="content hashes to"):
        from_snapshot(data)


def test_malformed_snapshot_is_refused() -> None:
    with pytest.raises(SnapshotError):
        from_snapshot({"format": "academy-catalogue-snapshot/1", "modules": {}})
    with pytest.raises(SnapshotError, match="not a catalogue snapshot"):
        from_snapshot({"format": "something-else"})


def test_identical_catalogues_have_no_diff(tmp_path: Path) -> None:
    catalogue = resolved(copy_bundled(tmp_path))
    assert diff(catalogue, catalogue) == []
    assert render_diff([]) == "no changes"


def test_diff_lists_changed_modules_and_lessons_per_track(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    append(root / MGA_LESSON, "\nAnother paragraph.\n")
    after = resolved(root)
    changes = diff(snapshot(before), snapshot(after))
    modules = [c for c in changes if c.scope == "module"]
    assert {c.track_key for c in modules} == {
        "MGA.compliance_officer",
        "MGA.mlro",
        "MGA.kyc_analyst",
    }
    assert all(c.module_id == "mga-aml-cft" and c.kind == "changed" for c in modules)
    assert modules[0].lessons == IdChanges(changed=("mga-fiau-reporting-and-supervision",))
    assert modules[0].old_version != modules[0].new_version
    assert {c.scope for c in changes} == {"track", "module"}


def test_diff_reports_removed_questions_and_exam_changes(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    overrides = root / "jurisdictions/MGA/overrides.yaml"
    append(overrides, "  - id: rg-q05\n    action: remove\n")
    jurisdiction = root / "jurisdictions/MGA/jurisdiction.yaml"
    jurisdiction.write_text(jurisdiction.read_text().replace("pass_mark: 80", "pass_mark: 85"))
    changes = diff(before, resolved(root))
    officer = next(
        c for c in changes if c.scope == "track" and c.track_key == "MGA.compliance_officer"
    )
    assert "exam.pass_mark: 80 -> 85" in officer.fields
    removal = next(
        c for c in changes if c.scope == "module" and c.track_key == "MGA.customer_support"
    )
    assert removal.module_id == "responsible-gambling"
    assert removal.questions == IdChanges(removed=("rg-q05",))


def test_diff_reports_a_new_jurisdiction_and_its_tracks(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    shutil.rmtree(root / "jurisdictions/UKGC")
    before = resolved(root)
    shutil.copytree(
        copy_bundled(tmp_path / "again") / "jurisdictions/UKGC", root / "jurisdictions/UKGC"
    )
    changes = diff(before, resolved(root))
    assert changes[0] == Change("jurisdiction", "added", "UKGC")
    added_tracks = {c.track_key for c in changes if c.scope == "track" and c.kind == "added"}
    assert added_tracks == {
        f"UKGC.{r}" for r in ("compliance_officer", "mlro", "kyc_analyst", "customer_support")
    }
    assert len(changes) == 5


def test_diff_reports_release_policy_changes(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    path = root / "jurisdictions/GCB/jurisdiction.yaml"
    path.write_text(path.read_text().replace("revoke_on_lapse: false", "revoke_on_lapse: true"))
    [change] = diff(before, resolved(root))
    assert (change.scope, change.jurisdiction) == ("release_policy", "GCB")
    assert change.fields == ("revoke_on_lapse: False -> True",)


def test_render_diff_groups_modules_under_their_track(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    append(root / MGA_LESSON, "\nAnother paragraph.\n")
    text = render_diff(diff(before, resolved(root)))
    lines = text.splitlines()
    assert lines[0].startswith("~ track MGA.compliance_officer changed ")
    assert lines[1].startswith("    ~ module mga-aml-cft changed ")
    assert lines[2] == "        lessons changed: mga-fiau-reporting-and-supervision"


def test_changes_are_json_serialisable(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    append(root / MGA_LESSON, "\nAnother paragraph.\n")
    payload = json.dumps([c.to_dict() for c in diff(before, resolved(root))])
    assert '"module_id": "mga-aml-cft"' in payload
