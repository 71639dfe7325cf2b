"""Build one audit pack from a stream of audit log blocks, in memory independent of their number.

events.jsonl goes straight into the zip as its blocks arrive (hashed on the way, and its leaf
hashes folded into the Merkle log); the CSV rows derived from the few events that feed them go
to temporary files, from which the summary is written; the training register keeps the last
training state per staff member and track (its lines found by one search of each block's text)
and is written sorted at the end; the remaining members follow in a fixed order with fixed
metadata, so rebuilding a period gives identical bytes.
"""

import base64
import csv
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, BinaryIO

from auditpack.derive import (
    CSV_TYPES,
    RELEASE_CSV,
    RELEASE_HEADER,
    TRAINING_CSV,
    TRAINING_HEADER,
    CsvEncoder,
    DerivationError,
    csv_row_for,
)
from auditpack.manifest import (
    EVENTS_JSONL,
    FORMAT,
    KEYS_JSON,
    MANIFEST_JSON,
    MANIFEST_SIG,
    REVISION,
    FileEntry,
    LogJson,
    Manifest,
    PeriodJson,
    encode_model,
)
from auditpack.merkle import LogState, MerkleAccumulator, leaf_hash
from auditpack.period import Period
from auditpack.records import AuditRecord, RecordError, StoredRecord, event_problems
from auditpack.register import REGISTER_CSV, REGISTER_HEADER, Register
from auditpack.signing import KeyRing
from auditpack.spool import Spool
from auditpack.summary import SUMMARY_HTML, SummaryFacts, write_summary
from auditpack.summary_data import NOTICE_TYPES, CertificateNotice, certificate_notice
from auditpack.zipstore import ZipWriter, bytes_member

_HEX64 = re.compile(r"[0-9a-f]{64}")
#: The event types the builder reads one by one (`LogBlock.records`): each gives a CSV row or
#: a certificate notice summary.html lists. The rest pass through into events.jsonl.
READ_TYPES = CSV_TYPES | NOTICE_TYPES


class PackBuildError(ValueError):
    """The records cannot make a valid pack (gap, foreign operator, outside the period...)."""


class LogAlteredError(PackBuildError):
    """A stored line no longer hashes to the leaf hash its log recorded when appending it."""


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


@dataclass(frozen=True, slots=True)
class LogBlock:
    """Consecutive entries of an operator's log, in the shape the builder consumes them.

    `lines` are their canonical lines, each followed by a newline (a slice of events.jsonl);
    `leaves` their RFC 6962 leaf hashes, 32 bytes each, in the same order; `earliest` and
    `latest` the extremes of their recorded_at; `records` those of them of READ_TYPES. The
    training register finds its events in `lines` itself (`Register.add_lines`).
    """

    first_index: int
    lines: bytes
    leaves: bytes
    earliest: datetime | None
    latest: datetime | None
    records: Sequence[AuditRecord | StoredRecord] = ()

    @property
    def count(self) -> int:
        return len(self.leaves) // 32


#: Records per block when blocks are made from single records (`record_blocks`).
BLOCK_RECORDS = 512


def record_blocks(
    records: Iterable[AuditRecord], spec: "PackSpec", *, size: int = BLOCK_RECORDS
) -> Iterator[LogBlock]:
    """Blocks of single records, each checked here (order, period, the event itself) and
    hashed here."""
    operator_id, period = spec.operator_id, spec.period
    expected = spec.log_before.size
    batch: list[AuditRecord] = []

    def block() -> LogBlock:
        times = [r.recorded_at for r in batch]
        return LogBlock(
            batch[0].index,
            b"".join(r.line + b"\n" for r in batch),
            b"".join(leaf_hash(r.line) for r in batch),
            min(times),
            max(times),
            [r for r in batch if r.type in READ_TYPES],
        )

    for record in records:
        _check(record, operator_id=operator_id, period=period, expected_index=expected)
        expected += 1
        batch.append(record)
        if len(batch) == size:
            yield block()
            batch = []
    if batch:
        yield block()


def build_pack(
    out: BinaryIO,
    records: Iterable[AuditRecord],
    *,
    spec: PackSpec,
    keyring: KeyRing,
    tmp_dir: Path | None = None,
) -> PackResult:
    """`build_pack_from_blocks` over `record_blocks(records)`: `records` are the operator's
    log entries recorded in the period, in index order from `spec.log_before.size`."""
    blocks = record_blocks(records, spec)
    return build_pack_from_blocks(out, blocks, spec=spec, keyring=keyring, tmp_dir=tmp_dir)


def build_pack_from_blocks(
    out: BinaryIO,
    blocks: Iterable[LogBlock],
    *,
    spec: PackSpec,
    keyring: KeyRing,
    tmp_dir: Path | None = None,
) -> PackResult:
    """Write the pack `spec` describes to `out` (sequential writes only, no seeking).

    `blocks` hold the operator's log entries recorded in the period, in index order starting
    at `spec.log_before.size`, without gaps; they are consumed once, as a stream, and
    events.jsonl is written to `out` as they come.
    """
    with PackBuilder(spec=spec, keyring=keyring, tmp_dir=tmp_dir) as builder:
        for block in blocks:
            out.write(builder.add_block(block))
        for chunk in builder.finish():
            out.write(chunk)
    return builder.result


class PackBuilder:
    """Builds one pack incrementally: each `add_block` returns the bytes to write next,
    `finish` yields the rest; then `result` says what was built. Use it as a context manager
    (it holds temporary files for the CSVs and the summary until it finishes or closes).

    events.jsonl goes out as the blocks come (hashed on the way, its leaf hashes folded into
    the Merkle log); the CSV rows of the few records that give one, the certificate notices
    and the training register's last states are kept aside for the members that follow it.
    """

    def __init__(self, *, spec: PackSpec, keyring: KeyRing, tmp_dir: Path | None = None) -> None:
        self._spec, self._keyring = spec, keyring
        self._signer = keyring.signer_for(spec.period)
        self._stack = ExitStack()
        self._tmp_dir = tmp_dir
        self._encoder = CsvEncoder()
        self._training, self._release = self._spool(), self._spool()
        self._training.write(self._encoder.encode(TRAINING_HEADER))
        self._release.write(self._encoder.encode(RELEASE_HEADER))
        self._csvs = {TRAINING_CSV: self._training, RELEASE_CSV: self._release}
        self._register, self._notices = Register(), list[CertificateNotice]()
        self._pending: list[bytes] = []
        self._container = ZipWriter(self._pending.append, spec.period.start)
        self._container.begin(EVENTS_JSONL)
        self._log = MerkleAccumulator(spec.log_before)
        self._digest = hashlib.sha256()
        self._expected = spec.log_before.size
        self._size = 0
        self._result: PackResult | None = None

    def __enter__(self) -> "PackBuilder":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop the temporary files (a builder left unfinished builds nothing more)."""
        self._stack.close()

    @property
    def result(self) -> PackResult:
        if self._result is None:
            raise PackBuildError("the pack is not finished")
        return self._result

    def _spool(self) -> Spool:
        return Spool(self._stack.enter_context(tempfile.TemporaryFile(dir=self._tmp_dir)))

    def _take(self) -> bytes:
        """What the container wrote since the last call (a block's lines are not copied)."""
        data = b"".join(self._pending)
        self._pending.clear()
        return data

    def _taken(self) -> Iterator[bytes]:
        if data := self._take():
            yield data

    def add_block(self, block: LogBlock) -> bytes:
        """The hot loop's body: the block's lines into events.jsonl, its leaves into the Merkle
        log, CSV rows and certificate notices from the few records that give them, and the
        training states of the lines that carry one into the register; returns the bytes to
        write (the block's lines, after the zip's first header)."""
        if self._result is not None:
            raise PackBuildError("the pack is already finished")
        first, count = block.first_index, block.count
        if first != self._expected:
            raise PackBuildError(
                f"record index {first}, expected {self._expected}: records must come "
                "in log order without gaps, starting at the log size before the period"
            )
        last = first + count - 1
        lines = block.lines.count(b"\n")
        whole_lines = block.lines.endswith(b"\n") if count else not block.lines
        if len(block.leaves) != 32 * count or lines != count or not whole_lines:
            raise PackBuildError(
                f"records {first}..{last}: {lines} lines for {len(block.leaves)} bytes of "
                "leaf hashes (32 per line, each line ending in a newline)"
            )
        period = self._spec.period
        if count and (
            block.earliest is None
            or block.latest is None
            or block.earliest < period.start
            or block.latest >= period.end
        ):
            raise PackBuildError(f"records {first}..{last}: one was recorded outside the period")
        self._container.write(block.lines)
        self._digest.update(block.lines)
        self._size += len(block.lines)
        self._log.add_leaf_block(block.leaves)
        try:
            self._register.add_lines(block.lines)
        except (DerivationError, RecordError) as exc:
            raise PackBuildError(f"records {first}..{last}: {exc}") from exc
        self._add_records(block.records, first, last)
        self._expected += count
        return self._take()

    def _add_records(
        self, records: Sequence[AuditRecord | StoredRecord], first: int, last: int
    ) -> None:
        encoder, csvs, notices = self._encoder, self._csvs, self._notices
        previous = first - 1
        for record in records:
            index = record.index
            if not previous < index <= last:
                raise PackBuildError(
                    f"record {index} is not among records {first}..{last} in order"
                )
            previous = index
            try:
                event = record.event
                derived = csv_row_for(event, revision=REVISION)
            except (DerivationError, RecordError) as exc:
                raise PackBuildError(f"record {index}: {exc}") from exc
            notice = certificate_notice(event)
            if notice is not None:
                notices.append(notice)
            if derived is not None:
                target = csvs[derived[0]]
                target.write(encoder.encode(derived[1]))
                target.rows += 1

    def finish(self) -> Iterator[bytes]:
        """The rest of the pack, in chunks: events.jsonl's end, the CSVs, the register, the
        summary, keys.json, the signed manifest and the zip's directory. `result` is set
        once the last chunk is taken."""
        if self._result is not None:
            raise PackBuildError("the pack is already finished")
        spec, signer, encoder = self._spec, self._signer, self._encoder
        training, release = self._training, self._release
        container = self._container
        container.end()
        log_before, log_after = spec.log_before, self._log.state()
        event_count = self._expected - log_before.size
        events = FileEntry(
            path=EVENTS_JSONL,
            sha256=self._digest.hexdigest(),
            bytes=self._size,
            rows=event_count,
        )
        yield from self._taken()
        registered = self._spool()
        registered.write(encoder.encode(REGISTER_HEADER))
        try:
            for row in self._register.rows():
                registered.write(encoder.encode(row))
        except (DerivationError, RecordError) as exc:
            raise PackBuildError(f"{REGISTER_CSV}: {exc}") from exc
        registered.rows = len(self._register)

        summary = self._spool()
        facts = SummaryFacts(
            operator_id=spec.operator_id,
            period=spec.period,
            pack_seq=spec.pack_seq,
            previous_manifest_sha256=spec.previous_manifest_sha256,
            event_count=event_count,
            training_count=training.rows,
            release_count=release.rows,
            tree_size_before=log_before.size,
            tree_size=log_after.size,
            root_hex=log_after.root.hex(),
            key_id=signer.key_id,
        )
        for spooled in (training, release, registered):
            spooled.sync()
        write_summary(
            summary.write,
            facts,
            _csv_rows(training.file),
            _csv_rows(release.file),
            _csv_rows(registered.file),
            self._notices,
        )
        keys_json = self._keyring.keys_json(spec.period)
        manifest = Manifest(
            format=FORMAT,
            operator_id=spec.operator_id,
            period=PeriodJson(**spec.period.to_json()),
            pack_seq=spec.pack_seq,
            previous_manifest_sha256=spec.previous_manifest_sha256,
            files=[
                events,
                training.entry(TRAINING_CSV, rows=True),
                release.entry(RELEASE_CSV, rows=True),
                registered.entry(REGISTER_CSV, rows=True),
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
        for name, chunks in (
            training.member(TRAINING_CSV),
            release.member(RELEASE_CSV),
            registered.member(REGISTER_CSV),
            summary.member(SUMMARY_HTML),
            bytes_member(KEYS_JSON, keys_json),
            bytes_member(MANIFEST_JSON, manifest_bytes),
            bytes_member(MANIFEST_SIG, signature),
        ):
            container.begin(name)
            for chunk in chunks:
                container.write(chunk)
                yield from self._taken()
            container.end()
            yield from self._taken()
        zip_bytes = container.close()
        yield from self._taken()
        self.close()
        self._result = PackResult(
            manifest=manifest,
            manifest_bytes=manifest_bytes,
            manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
            log_after=log_after,
            key_id=signer.key_id,
            event_count=event_count,
            zip_bytes=zip_bytes,
        )


def _check(record: AuditRecord, *, operator_id: str, period: Period, expected_index: int) -> None:
    if record.index != expected_index:
        raise PackBuildError(
            f"record index {record.index}, expected {expected_index}: records must come "
            "in log order without gaps, starting at the log size before the period"
        )
    if not period.contains(record.recorded_at):
        raise PackBuildError(f"record {record.index} was recorded outside the period")
    problems = event_problems(record.event, operator_id)
    if problems:
        raise PackBuildError(f"record {record.index}: {'; '.join(problems)}")


def write_pack_file(
    path: Path,
    records: Iterable[AuditRecord],
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
