"""Build one audit pack from a stream of audit records, in memory independent of their number.

Events and CSV rows go to temporary files as they arrive (hashes, sizes and row counts are
computed on the way), the summary is written from those files, and the zip is assembled at
the end in a fixed order with fixed metadata, so rebuilding a period gives identical bytes.
"""

import base64
import csv
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from audit_export.domain.derive import (
    CSV_TYPES,
    RELEASE_CSV,
    RELEASE_HEADER,
    TRAINING_CSV,
    TRAINING_HEADER,
    CsvEncoder,
    DerivationError,
    csv_row_for,
)
from audit_export.domain.manifest import (
    EVENTS_JSONL,
    FORMAT,
    KEYS_JSON,
    MANIFEST_JSON,
    MANIFEST_SIG,
    FileEntry,
    LogJson,
    Manifest,
    PeriodJson,
    encode_model,
)
from audit_export.domain.merkle import LEAF_PREFIX, LogState, MerkleAccumulator
from audit_export.domain.period import Period
from audit_export.domain.records import AuditRecord, RecordError, StoredRecord, event_problems
from audit_export.domain.signing import KeyRing
from audit_export.domain.spool import Spool
from audit_export.domain.summary import SUMMARY_HTML, SummaryFacts, write_summary
from audit_export.domain.zipstore import bytes_member, write_zip

_HEX64 = re.compile(r"[0-9a-f]{64}")


class PackBuildError(ValueError):
    """The records cannot make a valid pack (gap, foreign operator, outside the period...)."""


def _csv_rows(file: IO[bytes]) -> Iterator[list[str]]:
    """Data rows of a spooled CSV, streamed back (the header skipped)."""
    file.flush()
    file.seek(0)
    text = io.TextIOWrapper(file, encoding="utf-8", newline="")
    try:
        reader = csv.reader(text)
        next(reader, None)
        yield from reader
    finally:
        text.detach()


@dataclass(frozen=True, slots=True)
class PackSpec:
    """Which pack to build: operator, period, its place in the chain and the log before it."""

    operator_id: str
    period: Period
    pack_seq: int
    previous_manifest_sha256: str | None
    log_before: LogState

    def __post_init__(self) -> None:
        if self.pack_seq < 1:
            raise PackBuildError("pack_seq counts from 1")
        if (self.pack_seq == 1) != (self.previous_manifest_sha256 is None):
            raise PackBuildError("only the first pack (pack_seq 1) has no previous manifest")
        previous = self.previous_manifest_sha256
        if previous is not None and not _HEX64.fullmatch(previous):
            raise PackBuildError("previous_manifest_sha256 must be 64 lowercase hex digits")
        if not self.operator_id:
            raise PackBuildError("operator_id is empty")


@dataclass(frozen=True, slots=True)
class PackResult:
    """What the service records about a built pack (and feeds into the next one)."""

    manifest: Manifest
    manifest_bytes: bytes
    manifest_sha256: str
    log_after: LogState
    key_id: str
    event_count: int
    zip_bytes: int


def build_pack(
    out: BinaryIO,
    records: Iterable[AuditRecord | StoredRecord],
    *,
    spec: PackSpec,
    keyring: KeyRing,
    tmp_dir: Path | None = None,
) -> PackResult:
    """Write the pack `spec` describes to `out` (sequential writes only, no seeking).

    `records` are the operator's log entries recorded in the period, in index order starting
    at `spec.log_before.size`; they are consumed once, as a stream. `StoredRecord`s (lines
    read back from the append-only log) skip the event checks the log applied on append.
    """
    operator_id, period, log_before = spec.operator_id, spec.period, spec.log_before
    pack_seq, previous_manifest_sha256 = spec.pack_seq, spec.previous_manifest_sha256
    signer = keyring.signer_for(period)
    with ExitStack() as stack:

        def spool() -> Spool:
            return Spool(stack.enter_context(tempfile.TemporaryFile(dir=tmp_dir)))

        events, training, release = spool(), spool(), spool()
        encoder = CsvEncoder()
        training.write(encoder.encode(TRAINING_HEADER))
        release.write(encoder.encode(RELEASE_HEADER))
        csvs = {TRAINING_CSV: training, RELEASE_CSV: release}
        log_after = _spool_records(records, spec, events, csvs, encoder)

        summary = spool()
        facts = SummaryFacts(
            operator_id=operator_id,
            period=period,
            pack_seq=pack_seq,
            previous_manifest_sha256=previous_manifest_sha256,
            event_count=events.rows,
            training_count=training.rows,
            release_count=release.rows,
            tree_size_before=log_before.size,
            tree_size=log_after.size,
            root_hex=log_after.root.hex(),
            key_id=signer.key_id,
        )
        training.sync()
        release.sync()
        write_summary(summary.write, facts, _csv_rows(training.file), _csv_rows(release.file))
        keys_json = keyring.keys_json(period)
        manifest = Manifest(
            format=FORMAT,
            operator_id=operator_id,
            period=PeriodJson(**period.to_json()),
            pack_seq=pack_seq,
            previous_manifest_sha256=previous_manifest_sha256,
            files=[
                events.entry(EVENTS_JSONL, rows=True),
                training.entry(TRAINING_CSV, rows=True),
                release.entry(RELEASE_CSV, rows=True),
                summary.entry(SUMMARY_HTML, rows=False),
                FileEntry(
                    path=KEYS_JSON,
                    sha256=hashlib.sha256(keys_json).hexdigest(),
                    bytes=len(keys_json),
                    rows=None,
                ),
            ],
            log=LogJson(
                tree_size_before=log_before.size,
                frontier_before=log_before.frontier_hex(),
                tree_size=log_after.size,
                root=log_after.root.hex(),
            ),
            key_id=signer.key_id,
        )
        manifest_bytes = encode_model(manifest)
        signature = base64.b64encode(signer.sign(manifest_bytes))
        zip_bytes = write_zip(
            out,
            [
                events.member(EVENTS_JSONL),
                training.member(TRAINING_CSV),
                release.member(RELEASE_CSV),
                summary.member(SUMMARY_HTML),
                bytes_member(KEYS_JSON, keys_json),
                bytes_member(MANIFEST_JSON, manifest_bytes),
                bytes_member(MANIFEST_SIG, signature),
            ],
            period.start,
        )
    return PackResult(
        manifest=manifest,
        manifest_bytes=manifest_bytes,
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        log_after=log_after,
        key_id=signer.key_id,
        event_count=events.rows,
        zip_bytes=zip_bytes,
    )


def _spool_records(
    records: Iterable[AuditRecord | StoredRecord],
    spec: PackSpec,
    events: Spool,
    csvs: dict[str, Spool],
    encoder: CsvEncoder,
) -> LogState:
    """The hot loop: every line into events.jsonl and the Merkle log, CSV rows derived.

    Written for a million records a day: lines are joined a batch at a time, leaf hashes
    inline, and a stored record's line is parsed only when its type feeds a CSV.
    """
    log = MerkleAccumulator(spec.log_before)
    operator_id, start, end = spec.operator_id, spec.period.start, spec.period.end
    expected = spec.log_before.size
    batch: list[bytes] = []
    batch_bytes = 0

    def flush() -> None:
        events.write(b"\n".join(batch) + b"\n")
        log.add_many([hashlib.sha256(LEAF_PREFIX + line).digest() for line in batch])
        batch.clear()

    for record in records:
        index, line = record.index, record.line
        stored = isinstance(record, StoredRecord)
        if not (stored and index == expected and start <= record.recorded_at < end):
            _check(record, operator_id=operator_id, period=spec.period, expected_index=expected)
        expected += 1
        batch.append(line)
        batch_bytes += len(line)
        if batch_bytes >= Spool.FLUSH_AT:
            flush()
            batch_bytes = 0
        if stored and record.type not in CSV_TYPES:
            continue
        try:
            derived = csv_row_for(record.event)
        except (DerivationError, RecordError) as exc:
            raise PackBuildError(f"record {index}: {exc}") from exc
        if derived is not None:
            target = csvs[derived[0]]
            target.write(encoder.encode(derived[1]))
            target.rows += 1
    if batch:
        flush()
    events.rows = log.size - spec.log_before.size
    return log.state()


def _check(
    record: AuditRecord | StoredRecord, *, operator_id: str, period: Period, expected_index: int
) -> None:
    if record.index != expected_index:
        raise PackBuildError(
            f"record index {record.index}, expected {expected_index}: records must come "
            "in log order without gaps, starting at the log size before the period"
        )
    if not period.contains(record.recorded_at):
        raise PackBuildError(f"record {record.index} was recorded outside the period")
    if isinstance(record, StoredRecord):
        return
    problems = event_problems(record.event, operator_id)
    if problems:
        raise PackBuildError(f"record {record.index}: {'; '.join(problems)}")


def write_pack_file(
    path: Path,
    records: Iterable[AuditRecord | StoredRecord],
    *,
    spec: PackSpec,
    keyring: KeyRing,
    tmp_dir: Path | None = None,
) -> PackResult:
    """Build into `path` atomically: a partial file never carries the final name."""
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as out:
            result = build_pack(out, records, spec=spec, keyring=keyring, tmp_dir=tmp_dir)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return result
