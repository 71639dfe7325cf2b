"""Adding a jurisdiction is adding a folder of content, never code (UKGC was added that way)."""

from pathlib import Path

from catalogue_builders import append, copy_bundled, resolved, write

import catalogue
from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain.content import resolve

SOURCE = Path(catalogue.__file__).resolve().parent

JERSEY = """\
code: JGC
name: Jersey
regulator: Jersey Gambling Commission (example)
exam:
  question_count: 30
  pass_mark: 80
  time_limit_minutes: 45
  attempt_limit: 3
  cooldown_hours: 24
tracks:
  - role: compliance_officer
    modules: [aml-fundamentals, kyc-cdd, transaction-monitoring, compliance-hygiene]
release_policy:
  requirements:
    - role: compliance_officer
  tooling: [jgc-licensing-suite]
"""


def test_ukgc_resolves_from_content_alone() -> None:
    catalogue_now = resolve(BUNDLED_CONTENT_DIR)
    ukgc = catalogue_now.jurisdiction("UKGC")
    assert ukgc.regulator == "Gambling Commission (UKGC)"
    assert ukgc.release_policy.tooling == ("ukgc-licensing-suite",)
    officer = catalogue_now.track("UKGC", "compliance_officer")
    assert [m.id for m in officer.modules][-2:] == ["ukgc-framework", "ukgc-aml"]


def test_no_source_file_mentions_ukgc() -> None:
    sources = list(SOURCE.rglob("*.py"))
    assert len(sources) > 10
    offenders = [
        path.relative_to(SOURCE).as_posix()
        for path in sources
        if "ukgc" in path.read_text(encoding="utf-8").lower()
    ]
    assert offenders == []


def test_a_new_folder_and_a_tooling_entry_add_a_jurisdiction(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    append(root / "catalogue.yaml", "  - id: jgc-licensing-suite\n    title: Jersey tooling\n")
    write(root, "jurisdictions/JGC/jurisdiction.yaml", JERSEY)
    after = resolved(root)
    assert "JGC" in {j.code for j in after.jurisdictions}
    track = after.track("JGC", "compliance_officer")
    assert len(track.question_pool) == 40
    curacao = {m.id: m.version for m in after.track("GCB", "compliance_officer").modules}
    assert track.modules[1].id == "kyc-cdd"
    assert track.modules[1].version == curacao["kyc-cdd"]  # shared, not overridden by either
