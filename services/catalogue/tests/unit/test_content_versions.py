"""Content-addressed versions: deterministic, and changing only where the content changed."""

import json
from pathlib import Path

from catalogue_builders import append, copy_bundled, resolved
from hypothesis import given
from hypothesis import strategies as st

from catalogue.domain.resolved import ResolvedCatalogue
from catalogue.domain.snapshot import snapshot
from catalogue.domain.versions import canonical_json, digest

HYGIENE_LESSON = "core/modules/compliance-hygiene/lessons/02-records-and-security.md"
MGA_LESSON = "jurisdictions/MGA/modules/mga-aml-cft/lessons/02-fiau-reporting-and-supervision.md"


def _versions(catalogue: ResolvedCatalogue) -> dict[str, str]:
    return {track.key: track.version for track in catalogue.tracks}


def _changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {key for key in before if before[key] != after[key]}


def test_resolving_twice_gives_identical_versions_and_snapshots(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    first, second = resolved(root), resolved(root)
    assert first.version == second.version
    assert json.dumps(snapshot(first), sort_keys=True) == json.dumps(
        snapshot(second), sort_keys=True
    )


def test_versions_do_not_depend_on_where_the_content_lives(tmp_path: Path) -> None:
    here = resolved(copy_bundled(tmp_path / "a"))
    there = resolved(copy_bundled(tmp_path / "b"))
    assert _versions(here) == _versions(there)
    assert here.version == there.version


def test_changing_a_jurisdiction_module_changes_only_that_jurisdictions_tracks(
    tmp_path: Path,
) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    append(root / MGA_LESSON, "\nA new paragraph for Malta.\n")
    after = resolved(root)
    assert _changed(_versions(before), _versions(after)) == {
        "MGA.compliance_officer",
        "MGA.mlro",
        "MGA.kyc_analyst",
    }
    assert after.version != before.version


def test_changing_a_core_module_changes_every_track_that_uses_it(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    append(root / HYGIENE_LESSON, "\nAlways lock your screen.\n")
    after = resolved(root)
    users = {t.key for t in before.tracks if "compliance-hygiene" in {m.id for m in t.modules}}
    assert _changed(_versions(before), _versions(after)) == users
    assert "MGA.kyc_analyst" not in users
    assert len(users) == 12


def test_changing_an_override_changes_only_its_jurisdiction(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    append(root / "jurisdictions/UKGC/overrides/tm-reporting-suspicion-gb.md", "\nMore.\n")
    after = resolved(root)
    assert _changed(_versions(before), _versions(after)) == {
        "UKGC.compliance_officer",
        "UKGC.mlro",
        "UKGC.kyc_analyst",
    }


def test_changing_the_release_policy_changes_no_track_version(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root)
    path = root / "jurisdictions/MGA/jurisdiction.yaml"
    path.write_text(path.read_text().replace("revoke_on_lapse: true", "revoke_on_lapse: false"))
    after = resolved(root)
    assert _versions(before) == _versions(after)
    mga_before = before.jurisdiction("MGA").release_policy.version
    assert after.jurisdiction("MGA").release_policy.version != mga_before
    assert after.version != before.version


def test_unchanged_lessons_keep_their_version_when_a_sibling_changes(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root).track("GCB", "compliance_officer")
    append(root / HYGIENE_LESSON, "\nExtra.\n")
    after = resolved(root).track("GCB", "compliance_officer")
    old = {x.id: x.version for m in before.modules for x in m.lessons}
    new = {x.id: x.version for m in after.modules for x in m.lessons}
    assert {k for k in old if old[k] != new[k]} == {"hygiene-records-and-security"}


def test_trailing_whitespace_does_not_change_a_version(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = _versions(resolved(root))
    append(root / HYGIENE_LESSON, "   \n\n\n")
    assert _versions(resolved(root)) == before


def test_bumping_a_declared_version_changes_the_module_version(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    before = resolved(root).track("GSC", "mlro")
    path = root / "jurisdictions/GSC/modules/gsc-aml-cft/module.yaml"
    path.write_text(path.read_text().replace("version: 1.0.0", "version: 1.1.0"))
    after = resolved(root).track("GSC", "mlro")
    assert before.version != after.version
    assert [m.declared_version for m in after.modules][-1] == "1.1.0"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), json_values))
def test_digest_ignores_key_order(value: dict[str, object]) -> None:
    reversed_order = dict(reversed(list(value.items())))
    assert canonical_json(value) == canonical_json(reversed_order)
    assert digest(value) == digest(reversed_order)
