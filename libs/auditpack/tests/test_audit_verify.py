import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from auditpack_builders import (
    at,
    build_bytes,
    handful,
    keyring,
    members,
    reforge,
    replace_line,
    rezip,
    signing_key,
    write,
)

from auditpack.findings import Finding
from auditpack.verify import verify_pack

TRUSTED = [signing_key().public]


def _failures(tmp_path: Path, data: bytes, **options: Any) -> list[Finding]:
    return list(verify_pack(write(tmp_path / "pack.zip", data), **options).failures)


def _checks(failures: list[Finding]) -> set[tuple[str, str]]:
    return {(f.file, f.check) for f in failures}


def test_an_untouched_pack_verifies_with_the_trusted_key(tmp_path: Path) -> None:
    result = verify_pack(write(tmp_path / "p.zip", build_bytes(handful())[0]), trusted_keys=TRUSTED)
    assert result.ok, result.failures
    assert result.trusted_key


def test_without_a_trusted_key_the_result_says_only_the_packs_own_key_was_used(
    tmp_path: Path,
) -> None:
    result = verify_pack(write(tmp_path / "p.zip", build_bytes(handful())[0]))
    assert result.ok
    assert not result.trusted_key


def test_a_changed_event_fails_its_hash_and_the_merkle_root(tmp_path: Path) -> None:
    files = members(build_bytes(handful())[0])
    replace_line(files, 0, lambda v: v["event"]["data"].update(lesson_id="aml-2"))
    failures = _failures(tmp_path, rezip(files, at(hour=0)))
    assert ("events.jsonl", "sha256") in _checks(failures)
    assert ("manifest.json", "merkle root") in _checks(failures)


def test_a_consistent_forgery_without_the_key_fails_the_signature(tmp_path: Path) -> None:
    def edit(files: dict[str, bytes]) -> None:
        replace_line(files, 0, lambda v: v["event"]["data"].update(lesson_id="aml-2"))

    forged = reforge(build_bytes(handful())[0], change=edit, key=signing_key("attacker"))
    assert _checks(_failures(tmp_path, forged)) == {("manifest.sig", "signature")}


def test_a_pack_built_with_a_swapped_in_key_passes_alone_but_not_against_the_trusted_key(
    tmp_path: Path,
) -> None:
    impostor = signing_key("impostor")
    forged = build_bytes(handful(), ring=keyring(impostor))[0]
    alone = verify_pack(write(tmp_path / "f.zip", forged))
    assert alone.ok
    assert not alone.trusted_key
    trusted = _failures(tmp_path, forged, trusted_keys=TRUSTED)
    assert _checks(trusted) == {("manifest.sig", "trusted key")}
    bare = [type(TRUSTED[0])(raw=TRUSTED[0].raw)]
    assert _checks(_failures(tmp_path, forged, trusted_keys=bare)) == {
        ("manifest.sig", "signature")
    }


def test_a_signed_pack_whose_csv_disagrees_with_the_events_is_refused(tmp_path: Path) -> None:
    def promote(files: dict[str, bytes]) -> None:
        files["training-records.csv"] = files["training-records.csv"].replace(b",fail,", b",pass,")

    failures = _failures(tmp_path, reforge(build_bytes(handful())[0], change=promote))
    assert _checks(failures) >= {("training-records.csv", "agrees with the events")}
    assert "row 1" in str(failures[0])


def test_a_signed_pack_with_trained_before_release_flipped_is_refused(tmp_path: Path) -> None:
    def flip(files: dict[str, bytes]) -> None:
        files["release-evidence.csv"] = files["release-evidence.csv"].replace(
            b",true\r\n", b",false\r\n"
        )

    failures = _failures(tmp_path, reforge(build_bytes(handful())[0], change=flip))
    assert ("release-evidence.csv", "agrees with the events") in _checks(failures)


def test_a_signed_pack_with_an_altered_summary_is_refused(tmp_path: Path) -> None:
    def edit(files: dict[str, bytes]) -> None:
        files["summary.html"] = files["summary.html"].replace(b"Ana Borg", b"Ana Borq")

    forged = reforge(build_bytes(handful())[0], change=edit, regenerate_summary=False)
    assert _checks(_failures(tmp_path, forged)) == {("summary.html", "agrees with the events")}


@pytest.mark.parametrize(
    ("edit", "check"),
    [
        (lambda v: v.update(index=9), "index continuity"),
        (lambda v: v.update(recorded_at="2026-11-25T00:00:00Z"), "in period"),
        (lambda v: v["event"].update(tenantid="op-other"), "event"),
        (lambda v: v["event"].update(time="2026-11-24T09:00:00+00:00"), "event"),
        (lambda v: v["event"]["data"].update(score="ninety"), "event data"),
    ],
)
def test_signed_packs_with_bad_records_are_refused(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], check: str
) -> None:
    line = 1  # the failed attempt
    forged = reforge(build_bytes(handful())[0], change=lambda f: replace_line(f, line, edit))
    assert ("events.jsonl", check) in _checks(_failures(tmp_path, forged))


def test_a_signed_pack_with_a_non_canonical_line_is_refused(tmp_path: Path) -> None:
    def spaced(files: dict[str, bytes]) -> None:
        lines = files["events.jsonl"].splitlines()
        lines[2] = json.dumps(json.loads(lines[2]), sort_keys=True).encode()
        files["events.jsonl"] = b"".join(line + b"\n" for line in lines)

    failures = _failures(tmp_path, reforge(build_bytes(handful())[0], change=spaced))
    assert ("events.jsonl", "canonical record") in _checks(failures)


def test_a_manifest_claiming_a_different_root_is_refused(tmp_path: Path) -> None:
    forged = reforge(
        build_bytes(handful())[0], change_manifest=lambda m: m["log"].update(root="0" * 64)
    )
    assert _checks(_failures(tmp_path, forged)) == {("manifest.json", "merkle root")}


def test_wrong_row_counts_in_the_manifest_are_refused(tmp_path: Path) -> None:
    def miscount(manifest: dict[str, Any]) -> None:
        manifest["files"][0]["rows"] = 3
        manifest["files"][4]["rows"] = 0

    failures = _checks(
        _failures(tmp_path, reforge(build_bytes(handful())[0], change_manifest=miscount))
    )
    assert failures == {("events.jsonl", "rows"), ("summary.html", "rows")}


def test_signing_key_must_be_valid_at_the_period_end(tmp_path: Path) -> None:
    def expire(files: dict[str, bytes]) -> None:
        keys = json.loads(files["keys.json"])
        keys["keys"][0]["valid_until"] = "2026-11-24T12:00:00Z"
        files["keys.json"] = json.dumps(keys, sort_keys=True, separators=(",", ":")).encode()

    failures = _failures(tmp_path, reforge(build_bytes(handful())[0], change=expire))
    assert _checks(failures) == {("keys.json", "signing key")}


def test_a_wrong_trusted_key_or_key_id_is_refused(tmp_path: Path) -> None:
    data = build_bytes(handful())[0]
    other = signing_key("someone-else").public
    bare_other = type(other)(raw=other.raw)
    assert _checks(_failures(tmp_path, data, trusted_keys=[bare_other])) == {
        ("manifest.sig", "signature")
    }
    assert _checks(_failures(tmp_path, data, trusted_keys=[other])) == {
        ("manifest.sig", "trusted key")
    }


def test_files_that_are_not_packs_are_refused(tmp_path: Path) -> None:
    assert _checks(_failures(tmp_path, b"not a zip")) == {("pack.zip", "container")}
    files = members(build_bytes(handful())[0])
    files.pop("summary.html")
    assert _checks(_failures(tmp_path, rezip(files, at(hour=0)))) == {("pack.zip", "file set")}


def test_failures_name_the_file_and_the_check() -> None:
    assert str(Finding("events.jsonl", "sha256", "is x")) == "events.jsonl: sha256: is x"


def test_keys_json_listing_another_key_under_the_trusted_id_is_refused(tmp_path: Path) -> None:
    def swap(files: dict[str, bytes]) -> None:
        keys = json.loads(files["keys.json"])
        keys["keys"][0]["public_key"] = signing_key("other").public.b64
        files["keys.json"] = json.dumps(keys, sort_keys=True, separators=(",", ":")).encode()

    forged = reforge(build_bytes(handful())[0], change=swap)
    assert _checks(_failures(tmp_path, forged, trusted_keys=TRUSTED)) == {
        ("keys.json", "trusted key")
    }
    assert _checks(_failures(tmp_path, forged)) == {("manifest.sig", "signature")}
