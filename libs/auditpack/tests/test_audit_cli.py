import csv
import io
import json
import zipfile
from pathlib import Path

from auditpack_builders import signing_key
from typer.testing import CliRunner

from auditpack.cli import app

runner = CliRunner()
DAY1 = "auditpack-op-aurora-gaming-2026-11-23.zip"
DAY2 = "auditpack-op-aurora-gaming-2026-11-24.zip"
KEYS = "academy-audit-public-keys.json"


def _sample(tmp_path: Path) -> Path:
    result = runner.invoke(app, ["sample", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    return tmp_path / "out"


def test_sample_writes_two_packs_and_the_key_file_deterministically(tmp_path: Path) -> None:
    out = _sample(tmp_path)
    assert sorted(p.name for p in out.iterdir()) == [KEYS, DAY1, DAY2]
    again = runner.invoke(app, ["sample", str(tmp_path / "again")])
    assert again.exit_code == 0
    for name in (DAY1, DAY2, KEYS):
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes()


def test_verify_with_previous_and_public_key_file_exits_zero(tmp_path: Path) -> None:
    out = _sample(tmp_path)
    result = runner.invoke(
        app,
        ["verify", str(out / DAY2), "--previous", str(out / DAY1), "--public-key", str(out / KEYS)],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK {DAY2}")
    assert "verified with the given public key" in result.output
    assert "Continues" in result.output


def test_verify_with_the_packs_own_key_says_it_proves_integrity_not_authorship(
    tmp_path: Path,
) -> None:
    out = _sample(tmp_path)
    result = runner.invoke(app, ["verify", str(out / DAY1)])
    assert result.exit_code == 0, result.output
    assert "proves integrity" in result.output
    assert "not authorship" in result.output


def test_verify_accepts_a_raw_base64_public_key(tmp_path: Path) -> None:
    out = _sample(tmp_path)
    raw = json.loads((out / KEYS).read_text())["keys"][0]["public_key"]
    result = runner.invoke(app, ["verify", str(out / DAY1), "--public-key", raw])
    assert result.exit_code == 0, result.output


def test_verify_of_a_tampered_pack_exits_one_naming_file_and_check(tmp_path: Path) -> None:
    out = _sample(tmp_path)
    data = bytearray((out / DAY2).read_bytes())
    data[data.index(b"Maria Camilleri")] ^= 0x20  # "maria" in events.jsonl
    (out / DAY2).write_bytes(data)
    result = runner.invoke(app, ["verify", str(out / DAY2)])
    assert result.exit_code == 1
    assert result.output.startswith(f"FAILED {DAY2}")
    assert "events.jsonl: crc-32: content does not match its zip CRC-32" in result.output


def test_verify_against_the_wrong_key_or_previous_exits_one(tmp_path: Path) -> None:
    out = _sample(tmp_path)
    wrong_key = runner.invoke(
        app, ["verify", str(out / DAY2), "--public-key", signing_key("other").public.b64]
    )
    assert wrong_key.exit_code == 1
    assert "manifest.sig: signature" in wrong_key.output
    swapped = runner.invoke(app, ["verify", str(out / DAY1), "--previous", str(out / DAY2)])
    assert swapped.exit_code == 1
    assert "manifest.json: continuity" in swapped.output


def test_unusable_arguments_exit_two(tmp_path: Path) -> None:
    out = _sample(tmp_path)
    bad_key = runner.invoke(app, ["verify", str(out / DAY1), "--public-key", "nonsense"])
    assert bad_key.exit_code == 2
    missing = runner.invoke(app, ["verify", str(tmp_path / "missing.zip")])
    assert missing.exit_code == 2


def test_verify_names_the_contract_revision_it_judged_the_pack_by(tmp_path: Path) -> None:
    out = _sample(tmp_path)
    current = runner.invoke(app, ["verify", str(out / DAY2), "--previous", str(out / DAY1)])
    assert current.exit_code == 0, current.output
    assert "Contract revision 2: training-register.csv checked against the events" in (
        current.output
    )
    old = Path(__file__).parent / "fixtures" / "revision-1"
    before = runner.invoke(app, ["verify", str(old / DAY2), "--previous", str(old / DAY1)])
    assert before.exit_code == 0, before.output
    assert "Contract revision 1 (no training-register.csv)" in before.output


def test_the_sample_register_shows_a_waived_module_and_a_trained_release(tmp_path: Path) -> None:
    out = _sample(tmp_path)
    with zipfile.ZipFile(out / DAY2) as zf:
        register = list(csv.DictReader(io.StringIO(zf.read("training-register.csv").decode())))
        releases = list(csv.DictReader(io.StringIO(zf.read("release-evidence.csv").decode())))
    assert [
        (r["staff_id"], r["track_key"], r["modules_completed"].count("=")) for r in register
    ] == [
        ("staff-0042", "MGA.compliance_officer", 2),
        ("staff-0057", "MGA.compliance_officer", 1),  # mga-framework waived
        ("staff-0061", "GSC.compliance_officer", 1),
    ]
    assert [(r["jurisdiction"], r["reason"], r["trained_before_release"]) for r in releases] == [
        ("MGA", "certification", "true"),
        ("GSC", "manual_override", "false"),
    ]
