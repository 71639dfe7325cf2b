import base64
import dataclasses
import hashlib
import io
import json
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from auditpack_builders import (
    DAY,
    OP,
    at,
    build_bytes,
    handful,
    keyring,
    lesson,
    members,
    record,
    signing_key,
    spec_for,
    write,
)

from auditpack import zipstore
from auditpack.derive import RELEASE_HEADER_LINE, TRAINING_HEADER_LINE
from auditpack.merkle import LogState, append, leaf_hash
from auditpack.pack import (
    LogBlock,
    PackBuildError,
    PackSpec,
    build_pack_from_blocks,
    record_blocks,
    write_pack_file,
)
from auditpack.period import Period
from auditpack.public_keys import PublicKey
from auditpack.verify import verify_pack

DESIGN_TRAINING = (
    "attempt_id,staff_id,staff_name,staff_email,role,jurisdiction,track_version,attempt_number,"
    "started_at,submitted_at,score,pass_mark,result,certificate_id,certificate_valid_until"
)
DESIGN_RELEASE = (
    "release_id,jurisdiction,tooling,released_at,reason,certificate_ids,certificates_passed_at,"
    "override_actor,override_reason,trained_before_release"
)


def test_rebuilding_a_pack_gives_identical_bytes(tmp_path: Path) -> None:
    first, _ = build_bytes(iter(handful()))
    second, _ = build_bytes(iter(handful()))
    assert first == second
    write_pack_file(tmp_path / "p.zip", iter(handful()), spec=spec_for(), keyring=keyring())
    assert (tmp_path / "p.zip").read_bytes() == first
    assert list(tmp_path.iterdir()) == [tmp_path / "p.zip"]


def test_pack_has_exactly_the_contract_files_in_a_fixed_order_stored_with_fixed_metadata() -> None:
    data, _ = build_bytes(handful())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        infos = zf.infolist()
    assert [i.filename for i in infos] == [
        "events.jsonl",
        "training-records.csv",
        "release-evidence.csv",
        "training-register.csv",
        "summary.html",
        "keys.json",
        "manifest.json",
        "manifest.sig",
    ]
    assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
    assert {i.date_time for i in infos} == {(2026, 11, 24, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_manifest_has_the_contract_shape_and_the_signature_verifies() -> None:
    data, result = build_bytes(handful())
    files = members(data)
    manifest = json.loads(files["manifest.json"])
    assert set(manifest) == {
        "format",
        "operator_id",
        "period",
        "pack_seq",
        "previous_manifest_sha256",
        "files",
        "log",
        "key_id",
    }
    assert manifest["format"] == "academy-auditpack/1"
    assert manifest["period"] == {"start": "2026-11-24T00:00:00Z", "end": "2026-11-25T00:00:00Z"}
    assert manifest["pack_seq"] == 1
    assert manifest["previous_manifest_sha256"] is None
    assert manifest["log"] == {
        "tree_size_before": 0,
        "frontier_before": [],
        "tree_size": 4,
        "root": result.log_after.root.hex(),
    }
    entries = {e["path"]: e for e in manifest["files"]}
    assert list(entries) == [
        "events.jsonl",
        "training-records.csv",
        "release-evidence.csv",
        "training-register.csv",
        "summary.html",
        "keys.json",
    ]
    for path, entry in entries.items():
        assert entry["sha256"] == hashlib.sha256(files[path]).hexdigest()
        assert entry["bytes"] == len(files[path])
    assert [entries[p]["rows"] for p in entries] == [4, 2, 1, 0, None, None]
    assert result.manifest_sha256 == hashlib.sha256(files["manifest.json"]).hexdigest()
    public = signing_key().public
    assert public.verify(base64.b64decode(files["manifest.sig"]), files["manifest.json"])
    keys = json.loads(files["keys.json"])
    assert keys == {
        "keys": [
            {
                "key_id": "test-key",
                "alg": "Ed25519",
                "public_key": public.b64,
                "valid_from": "2026-01-01T00:00:00Z",
                "valid_until": None,
            }
        ]
    }


def test_csv_headers_are_exactly_the_contract_headers() -> None:
    assert TRAINING_HEADER_LINE == DESIGN_TRAINING
    assert RELEASE_HEADER_LINE == DESIGN_RELEASE
    files = members(build_bytes(handful())[0])
    assert files["training-records.csv"].split(b"\r\n")[0].decode() == DESIGN_TRAINING
    assert files["release-evidence.csv"].split(b"\r\n")[0].decode() == DESIGN_RELEASE


def test_events_jsonl_is_the_records_lines_in_log_order() -> None:
    records = handful()
    files = members(build_bytes(records)[0])
    assert files["events.jsonl"] == b"".join(r.line + b"\n" for r in records)


def test_empty_day_pack_verifies_and_keeps_the_log_where_it_was(tmp_path: Path) -> None:
    before = append((), 0, [leaf_hash(r.line) for r in handful(DAY - timedelta(days=1))])
    spec = spec_for(seq=2, previous="ab" * 32, before=LogState(before.size, before.frontier))
    data, result = build_bytes([], spec)
    files = members(data)
    assert files["events.jsonl"] == b""
    assert files["training-records.csv"] == DESIGN_TRAINING.encode() + b"\r\n"
    assert result.log_after.size == 4
    assert result.log_after.root == before.root
    assert b"None in this period." in files["summary.html"]
    assert verify_pack(write(tmp_path / "empty.zip", data)).ok


@pytest.mark.parametrize(
    ("records", "message"),
    [
        (lambda: [record(0, lesson(at()), at()), record(2, lesson(at()), at())], "expected 1"),
        (lambda: [record(1, lesson(at()), at())], "expected 0"),
        (lambda: [record(0, lesson(at()), at(), operator="op-other")], "tenantid"),
        (lambda: [record(0, lesson(at()), at() - timedelta(days=1))], "outside the period"),
    ],
)
def test_builder_refuses_records_that_cannot_make_a_valid_pack(records, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PackBuildError, match=message):
        build_bytes(records())


def test_only_the_first_pack_has_no_previous_manifest() -> None:
    with pytest.raises(PackBuildError):
        PackSpec(OP, Period.day(DAY), 2, None, LogState.empty())
    with pytest.raises(PackBuildError):
        PackSpec(OP, Period.day(DAY), 1, "ab" * 32, LogState.empty())


def test_a_failed_build_leaves_no_file_behind(tmp_path: Path) -> None:
    target = tmp_path / "p.zip"
    with pytest.raises(PackBuildError):
        write_pack_file(target, [record(5, lesson(at()), at())], spec=spec_for(), keyring=keyring())
    assert list(tmp_path.iterdir()) == []


def test_zip64_fields_are_written_when_sizes_cross_the_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zipstore, "ZIP64_THRESHOLD", 200)
    data, _ = build_bytes(handful())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        events = zf.read("events.jsonl")
    assert events == b"".join(r.line + b"\n" for r in handful())
    assert b"PK\x06\x06" in data  # zip64 end of central directory record
    result = verify_pack(write(tmp_path / "z64.zip", data), trusted_keys=[signing_key().public])
    assert result.ok, result.failures


def test_public_key_object_checks_validity_half_open() -> None:
    key = PublicKey(raw=signing_key().public.raw, valid_from=at(hour=0), valid_until=at(hour=12))
    assert key.valid_at(at(hour=0))
    assert not key.valid_at(at(hour=12))


def test_every_member_is_streamed_with_a_zip64_data_descriptor_that_unzip_accepts(
    tmp_path: Path,
) -> None:
    data, _ = build_bytes(handful())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        for info in infos:
            assert info.flag_bits & 0x08, info.filename
            end = info.header_offset + 30 + len(info.filename) + 20 + info.file_size
            signature, crc, size, size_again = struct.unpack_from("<IIQQ", data, end)
            assert (signature, crc, size, size_again) == (
                0x08074B50,
                info.CRC,
                info.file_size,
                info.file_size,
            )
    if shutil.which("unzip") is not None:  # Info-ZIP, as inspectors would use it
        path = write(tmp_path / "p.zip", data)
        tested = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True)
        assert tested.returncode == 0, tested.stdout + tested.stderr


@pytest.mark.parametrize("size", [1, 2, 3, 512])
def test_blocks_of_any_size_give_the_bytes_single_records_give(size: int) -> None:
    records = handful() + handful(start=4)[:1]
    expected, _ = build_bytes(records)
    spec = spec_for()
    out = io.BytesIO()
    build_pack_from_blocks(
        out, record_blocks(records, spec, size=size), spec=spec, keyring=keyring()
    )
    assert out.getvalue() == expected


def _blocks() -> list[LogBlock]:
    return list(record_blocks(handful(), spec_for(), size=2))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: dataclasses.replace(b[1], first_index=3), "record index 3, expected 2"),
        (lambda b: dataclasses.replace(b[1], leaves=b[1].leaves[:32]), "2 lines for 32 bytes"),
        (lambda b: dataclasses.replace(b[1], lines=b[1].lines[:-1]), "1 lines for 64 bytes"),
        (lambda b: dataclasses.replace(b[1], lines=b"{}", leaves=b""), "0 lines for 0 bytes"),
        (
            lambda b: dataclasses.replace(b[1], latest=b[1].latest + timedelta(days=1)),
            "recorded outside the period",
        ),
        (lambda b: dataclasses.replace(b[1], records=b[0].records), "is not among records 2..3"),
    ],
)
def test_a_block_that_does_not_fit_its_place_in_the_log_is_refused(
    change: Callable[[list[LogBlock]], LogBlock], message: str
) -> None:
    blocks = _blocks()
    assert [b.first_index for b in blocks] == [0, 2]
    blocks[1] = change(blocks)
    with pytest.raises(PackBuildError, match=message):
        build_pack_from_blocks(io.BytesIO(), blocks, spec=spec_for(), keyring=keyring())
