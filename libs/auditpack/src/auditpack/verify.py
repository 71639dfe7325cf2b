"""Offline verification of an audit pack: container, signature, files, content, continuity.

Any failure is reported as a Finding naming the file and the check; a pack verifies only when
there are none. Hostile input never raises out of `verify_pack`.
"""

import hashlib
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from auditpack.findings import Finding, Findings
from auditpack.manifest import (
    KEYS_JSON,
    LISTED_FILES_BY_REVISION,
    MANIFEST_JSON,
    MANIFEST_SIG,
    PACK_FILES,
    ROW_FILES,
    Manifest,
    ManifestError,
    decode_manifest,
    revision_of,
)
from auditpack.merkle import fold
from auditpack.period import Period
from auditpack.public_keys import PublicKey
from auditpack.summary import SUMMARY_HTML
from auditpack.verify_content import check_content, check_summary
from auditpack.verify_keys import check_keys, check_signature
from auditpack.zipstore import ContainerComparer, Entry, zip_chunks

#: Upper bound for the small JSON members read into memory.
SMALL_MEMBER_LIMIT = 1 << 20
_BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    zlib.error,
    KeyError,
)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome; `trusted_key` says whether the signature was checked against a key the
    caller supplied (authorship) or only the pack's own keys.json (integrity); `revision` is
    the contract revision the pack was judged by (its file set says which)."""

    pack: Path
    failures: tuple[Finding, ...]
    manifest: Manifest | None = None
    trusted_key: bool = False
    revision: int | None = None

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(slots=True)
class _Digest:
    sha256: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    size: int = 0


class _MemberCorrupt(ValueError):
    """A member whose bytes do not match the CRC-32 the zip records for it."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(detail)
        self.name = name


def _teed(name: str, stream: IO[bytes], digest: _Digest) -> Iterator[bytes]:
    with stream:
        while True:
            try:
                chunk = stream.read(64 * 1024)
            except zipfile.BadZipFile as exc:
                raise _MemberCorrupt(
                    name, f"content does not match its zip CRC-32 ({exc})"
                ) from exc
            if not chunk:
                return
            digest.sha256.update(chunk)
            digest.size += len(chunk)
            yield chunk


def _container_digests(zf: zipfile.ZipFile, path: Path, period: Period) -> dict[str, _Digest]:
    """Regenerate the canonical container from the members and compare it byte for byte."""
    digests: dict[str, _Digest] = {}

    def members() -> Iterable[Entry]:
        for info in zf.infolist():
            digest = digests[info.filename] = _Digest()
            content = _teed(info.filename, zf.open(info), digest)
            yield info.filename, content

    with path.open("rb") as raw:
        comparer = ContainerComparer(raw)
        for chunk in zip_chunks(members(), period.start):
            comparer.feed(chunk)
        comparer.finish()
    return digests


def read_manifest(pack: Path) -> tuple[Manifest, bytes]:
    """The parsed manifest and its exact bytes (for chaining the next pack)."""
    with zipfile.ZipFile(pack) as zf:
        raw = _read_small(zf, MANIFEST_JSON)
    return decode_manifest(raw), raw


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes:
    if zf.getinfo(name).file_size > SMALL_MEMBER_LIMIT:
        raise ManifestError(f"{name} is larger than {SMALL_MEMBER_LIMIT} bytes")
    return zf.read(name)


def verify_pack(
    pack: Path,
    *,
    previous: Path | None = None,
    trusted_keys: Sequence[PublicKey] | None = None,
) -> VerifyResult:
    """Check everything about `pack` that can be checked offline."""
    out = Findings()
    label = pack.name
    try:
        zf = zipfile.ZipFile(pack)
    except _BROKEN as exc:
        out.fail(label, "container", f"not a readable zip: {exc}")
        return VerifyResult(pack, tuple(out.items))
    with zf:
        names = [info.filename for info in zf.infolist()]
        revision = revision_of(names)
        if revision is None:
            out.fail(
                label,
                "file set",
                f"contains {names}, expected exactly {list(PACK_FILES)} (or, in a revision-1 "
                "pack, the same without training-register.csv)",
            )
            return VerifyResult(pack, tuple(out.items))
        try:
            manifest_bytes = _read_small(zf, MANIFEST_JSON)
            manifest = decode_manifest(manifest_bytes)
        except ManifestError as exc:
            out.fail(MANIFEST_JSON, "format", str(exc))
            return VerifyResult(pack, tuple(out.items))
        except _BROKEN as exc:
            out.fail(label, "container", f"manifest.json unreadable: {exc}")
            return VerifyResult(pack, tuple(out.items))
        try:
            period = manifest.period.to_period()
        except ValueError as exc:
            out.fail(MANIFEST_JSON, "period", str(exc))
            return VerifyResult(pack, tuple(out.items), manifest)
        try:
            digests = _container_digests(zf, pack, period)
            keys_bytes = _read_small(zf, KEYS_JSON)
            sig_bytes = _read_small(zf, MANIFEST_SIG)
        except _MemberCorrupt as exc:
            out.fail(exc.name, "crc-32", str(exc))
            return VerifyResult(pack, tuple(out.items), manifest)
        except _BROKEN as exc:
            out.fail(label, "canonical container", str(exc))
            return VerifyResult(pack, tuple(out.items), manifest)
        listed = check_keys(keys_bytes, period, out)
        trusted = check_signature(
            manifest, manifest_bytes, sig_bytes, period, listed, trusted_keys, out
        )
        _check_files(manifest, digests, revision, out)
        sha256_of = {name: digest.sha256.hexdigest() for name, digest in digests.items()}
        try:
            counts = check_content(zf, manifest, period, sha256_of, revision, out)
            check_summary(zf, manifest, period, counts, sha256_of[SUMMARY_HTML], out)
        except _BROKEN as exc:
            out.fail(label, "content", f"unreadable: {exc}")
    _check_chain(manifest, manifest_bytes, period, revision, previous, out)
    return VerifyResult(pack, tuple(out.items), manifest, trusted, revision)


def _check_files(
    manifest: Manifest, digests: dict[str, "_Digest"], revision: int, out: Findings
) -> None:
    listed = [entry.path for entry in manifest.files]
    expected = list(LISTED_FILES_BY_REVISION[revision])
    if listed != expected:
        out.fail(MANIFEST_JSON, "file list", f"lists {listed}, expected {expected}")
    for entry in manifest.files:
        digest = digests.get(entry.path)
        if digest is None:
            continue
        actual = digest.sha256.hexdigest()
        if entry.sha256 != actual:
            out.fail(entry.path, "sha256", f"is {actual}, manifest.json says {entry.sha256}")
        if entry.bytes != digest.size:
            out.fail(
                entry.path, "size", f"is {digest.size} bytes, manifest.json says {entry.bytes}"
            )
        if entry.path not in ROW_FILES and entry.rows is not None:
            out.fail(entry.path, "rows", "must be null for a file without data rows")


def _check_chain(
    manifest: Manifest,
    manifest_bytes: bytes,
    period: Period,
    revision: int,
    previous: Path | None,
    out: Findings,
) -> None:
    if (manifest.pack_seq == 1) != (manifest.previous_manifest_sha256 is None):
        out.fail(MANIFEST_JSON, "continuity", "only pack_seq 1 may have no previous manifest")
    if previous is None:
        return
    try:
        prior, prior_bytes = read_manifest(previous)
    except (ManifestError, *_BROKEN) as exc:
        out.fail(previous.name, "previous pack", f"its manifest.json is unreadable: {exc}")
        return
    prior_revision = revision_of([entry.path for entry in prior.files], listed=True)
    checks = [
        (
            prior_revision is None or prior_revision <= revision,
            f"the previous pack has contract revision {prior_revision}, this one {revision}: "
            "a chain never goes back to an older revision",
        ),
        (
            prior.operator_id == manifest.operator_id,
            f"the previous pack is for operator {prior.operator_id}",
        ),
        (
            manifest.pack_seq == prior.pack_seq + 1,
            f"pack_seq {manifest.pack_seq} does not follow the previous pack's {prior.pack_seq}",
        ),
        (
            manifest.previous_manifest_sha256 == hashlib.sha256(prior_bytes).hexdigest(),
            "previous_manifest_sha256 is not the SHA-256 of the previous pack's manifest.json",
        ),
        (
            manifest.log.tree_size_before == prior.log.tree_size,
            f"tree_size_before {manifest.log.tree_size_before} is not the previous pack's "
            f"tree_size {prior.log.tree_size}",
        ),
        (
            _fold_hex(manifest.log.frontier_before) == prior.log.root,
            "frontier_before does not fold to the previous pack's root",
        ),
        (
            prior.period.end == manifest.period.start,
            f"the period starts at {manifest.period.start}, "
            f"the previous pack's ended at {prior.period.end}",
        ),
    ]
    for holds, detail in checks:
        if not holds:
            out.fail(MANIFEST_JSON, "continuity with previous pack", detail)


def _fold_hex(frontier: list[str]) -> str:
    return fold([bytes.fromhex(h) for h in frontier]).hex()
