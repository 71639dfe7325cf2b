"""Contract revisions of `academy-auditpack/1`: revision 2 adds training-register.csv and the
training rule of `trained_before_release`; packs built before it (revision 1, no register)
still verify, judged by the first rule. The revision-1 fixtures were written by
`academy audit sample` on the code before revision 2 (commit aa042c2)."""

import csv
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from auditpack_builders import (
    DAY,
    MODULES,
    at,
    build_bytes,
    evidence,
    handful,
    members,
    record,
    reforge,
    rezip,
    signing_key,
    spec_for,
    trained_day,
    training,
    unlocked,
    write,
)

from auditpack.derive import trained_before_release
from auditpack.findings import Finding
from auditpack.merkle import LogState
from auditpack.pack import PackSpec, build_pack
from auditpack.public_keys import load_trusted_keys
from auditpack.records import AuditRecord
from auditpack.sample import sample_keyring
from auditpack.verify import read_manifest, verify_pack
from contracts.assessment import CertificationExpired, CertificationRevoked

TRUSTED = [signing_key().public]
FIXTURES = Path(__file__).parent / "fixtures" / "revision-1"
OLD_DAY1 = FIXTURES / "auditpack-op-aurora-gaming-2026-11-23.zip"
OLD_DAY2 = FIXTURES / "auditpack-op-aurora-gaming-2026-11-24.zip"
OLD_KEYS = FIXTURES / "academy-audit-public-keys.json"


def _checks(failures: tuple[Finding, ...]) -> set[tuple[str, str]]:
    return {(f.file, f.check) for f in failures}


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


def test_revision_2_needs_every_required_module_completed_by_the_certificates_issue() -> None:
    passed, released = at(hour=11), at(hour=12)
    expires = passed + timedelta(days=548)
    complete = evidence(passed, expires)
    waived = evidence(passed, expires, completed=MODULES[:1])
    unrecorded = evidence(passed, expires, completed=None)
    assert trained_before_release([complete], released, revision=2)
    assert not trained_before_release([waived], released, revision=2)
    assert not trained_before_release([unrecorded], released, revision=2)
    for proof in (complete, waived, unrecorded):
        assert trained_before_release([proof], released, revision=1)


@pytest.mark.parametrize(("completed", "trained"), [(MODULES, "true"), (MODULES[:1], "false")])
def test_a_release_on_a_certificate_issued_with_a_waived_module_was_not_trained_before_it(
    tmp_path: Path, completed: tuple[str, ...], trained: str
) -> None:
    passed, released = at(hour=11), at(hour=12)
    proof = evidence(passed, passed + timedelta(days=548), completed=completed)
    pack = build_bytes([record(0, unlocked(released, [proof]), released)])[0]
    [row] = _csv(members(pack)["release-evidence.csv"])[1:]
    assert row[9] == trained
    result = verify_pack(write(tmp_path / "p.zip", pack), trusted_keys=TRUSTED)
    assert result.ok, result.failures
    assert result.revision == 2


def test_a_revision_1_pack_built_before_the_register_still_verifies_by_the_first_rule() -> None:
    keys = load_trusted_keys(str(OLD_KEYS))
    first = verify_pack(OLD_DAY1, trusted_keys=keys)
    second = verify_pack(OLD_DAY2, previous=OLD_DAY1, trusted_keys=keys)
    assert first.ok, first.failures
    assert second.ok, second.failures
    assert (first.revision, second.revision) == (1, 1)
    with zipfile.ZipFile(OLD_DAY2) as zf:
        assert "training-register.csv" not in zf.namelist()
        [release] = _csv(zf.read("release-evidence.csv"))[1:]
        events = [json.loads(line)["event"] for line in zf.read("events.jsonl").splitlines()]
    [unlock] = [e for e in events if e["type"] == "portal.tooling.unlocked.v1"]
    assert unlock["data"]["evidence"][0]["training"] is None
    assert release[9] == "true"  # no training record: true by the first rule only


def test_the_same_events_in_a_revision_2_pack_judge_that_release_untrained(
    tmp_path: Path,
) -> None:
    manifest, _ = read_manifest(OLD_DAY2)
    with zipfile.ZipFile(OLD_DAY2) as zf:
        records = [AuditRecord.from_line(line) for line in zf.read("events.jsonl").splitlines()]
    log = manifest.log
    spec = PackSpec(
        manifest.operator_id,
        manifest.period.to_period(),
        manifest.pack_seq,
        manifest.previous_manifest_sha256,
        LogState(log.tree_size_before, tuple(bytes.fromhex(h) for h in log.frontier_before)),
    )
    out = io.BytesIO()
    build_pack(out, records, spec=spec, keyring=sample_keyring())
    [release] = _csv(members(out.getvalue())["release-evidence.csv"])[1:]
    assert release[9] == "false"
    rebuilt = verify_pack(write(tmp_path / OLD_DAY2.name, out.getvalue()), previous=OLD_DAY1)
    assert rebuilt.ok, rebuilt.failures
    assert rebuilt.revision == 2


def _without_register(files: dict[str, bytes]) -> None:
    files.pop("training-register.csv")


def _unlist_register(manifest: dict[str, Any]) -> None:
    manifest["files"] = [f for f in manifest["files"] if f["path"] != "training-register.csv"]


def test_a_chain_never_goes_back_from_revision_2_to_revision_1(tmp_path: Path) -> None:
    first_pack, first = build_bytes(trained_day())
    before = first.log_after
    spec = spec_for(DAY + timedelta(days=1), seq=2, previous=first.manifest_sha256, before=before)
    second_pack = build_bytes(handful(DAY + timedelta(days=1), start=before.size), spec)[0]
    downgraded = reforge(second_pack, change=_without_register, change_manifest=_unlist_register)
    previous = write(tmp_path / "day1.zip", first_pack)
    alone = verify_pack(write(tmp_path / "day2.zip", downgraded))
    assert alone.ok, alone.failures  # consistent as revision 1, and signed with the key
    assert alone.revision == 1
    chained = verify_pack(tmp_path / "day2.zip", previous=previous)
    assert _checks(chained.failures) == {("manifest.json", "continuity with previous pack")}
    assert "revision 2" in str(chained.failures[0])
    assert verify_pack(write(tmp_path / "as-built.zip", second_pack), previous=previous).ok


def test_a_signed_pack_whose_register_disagrees_with_the_events_is_refused(
    tmp_path: Path,
) -> None:
    def rename(files: dict[str, bytes]) -> None:
        register = files["training-register.csv"]
        files["training-register.csv"] = register.replace(b"Zoe Vella", b"Zoe Valla")

    forged = reforge(build_bytes(trained_day())[0], change=rename)
    failures = verify_pack(write(tmp_path / "p.zip", forged)).failures
    assert _checks(failures) == {("training-register.csv", "agrees with the events")}
    assert "row 3" in str(failures[0])


def test_a_signed_pack_missing_a_register_row_is_refused(tmp_path: Path) -> None:
    def drop_last(files: dict[str, bytes]) -> None:
        lines = files["training-register.csv"].split(b"\r\n")
        files["training-register.csv"] = b"\r\n".join([*lines[:-2], b""])

    def recount(manifest: dict[str, Any]) -> None:
        manifest["files"][3]["rows"] = 2

    forged = reforge(build_bytes(trained_day())[0], change=drop_last, change_manifest=recount)
    failures = verify_pack(write(tmp_path / "p.zip", forged)).failures
    assert _checks(failures) == {
        ("training-register.csv", "agrees with the events"),
        ("training-register.csv", "rows"),  # the events give 3
    }
    assert "row 3 is missing" in str(failures[0])


def test_a_register_row_count_the_events_do_not_give_is_refused(tmp_path: Path) -> None:
    def miscount(manifest: dict[str, Any]) -> None:
        manifest["files"][3]["rows"] = 4

    forged = reforge(build_bytes(trained_day())[0], change_manifest=miscount)
    failures = verify_pack(write(tmp_path / "p.zip", forged)).failures
    assert _checks(failures) == {("training-register.csv", "rows")}


def test_a_pack_whose_manifest_lists_a_register_it_does_not_carry_is_refused(
    tmp_path: Path,
) -> None:
    files = members(build_bytes(trained_day())[0])
    files.pop("training-register.csv")
    failures = verify_pack(write(tmp_path / "p.zip", rezip(files, at(hour=0)))).failures
    assert ("manifest.json", "file list") in _checks(failures)
    assert ("manifest.sig", "signature") not in _checks(failures)  # the manifest is intact


def test_revoked_and_expired_certificates_give_the_summary_the_verifier_gives(
    tmp_path: Path,
) -> None:
    """The builder hands summary.html the period's certificate notices as the verifier finds
    them in events.jsonl, with or without a training state."""
    fields = {"staff_id": "staff-1", "role": "compliance_officer", "jurisdiction": "MGA"}
    revoked = CertificationRevoked(
        certificate_id="cert-1",
        actor="support@vendor.example",
        reason="exam taken by someone else",
        revoked_at=at(hour=13),
        training=training(),
        **fields,
    )
    expired = CertificationExpired(certificate_id="cert-0", expired_at=at(hour=14), **fields)
    day = [*trained_day(), record(6, revoked, at(hour=13)), record(7, expired, at(hour=14))]
    pack = build_bytes(day)[0]
    assert b"exam taken by someone else" in members(pack)["summary.html"]
    result = verify_pack(write(tmp_path / "p.zip", pack), trusted_keys=TRUSTED)
    assert result.ok, result.failures
