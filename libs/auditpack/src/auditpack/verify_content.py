"""Content checks of a pack: events.jsonl line by line, the Merkle arithmetic, and that the
CSVs and summary.html are exactly what the events give, by the pack's contract revision.
Everything is streamed; the training register (revision 2) holds one row per staff member
and track."""

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from auditpack.derive import (
    RELEASE_CSV,
    RELEASE_HEADER,
    TRAINING_CSV,
    TRAINING_HEADER,
    CsvEncoder,
    DerivationError,
    csv_row_for,
)
from auditpack.findings import Findings
from auditpack.manifest import EVENTS_JSONL, MANIFEST_JSON, Manifest
from auditpack.merkle import FrontierError, LogState, MerkleAccumulator, leaf_hash
from auditpack.period import Period
from auditpack.records import AuditRecord, RecordError, event_problems
from auditpack.register import REGISTER_CSV, REGISTER_HEADER, Register
from auditpack.summary import SUMMARY_HTML, SummaryFacts, write_summary
from auditpack.summary_data import CertificateNotice, notices_in
from auditpack.summary_legacy import write_legacy_summary

AGREES = "agrees with the events"


def _csv_reader(zf: zipfile.ZipFile, name: str) -> Iterator[list[str]]:
    with zf.open(name) as raw:
        yield from csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))


class _CsvCheck:
    """Compares the rows the events give with a CSV member, row by row and byte for byte."""

    def __init__(self, zf: zipfile.ZipFile, name: str, header: Sequence[str], out: Findings):
        self.name, self._out = name, out
        self._actual = _csv_reader(zf, name)
        self._encoder = CsvEncoder()
        self._sha256 = hashlib.sha256()
        self._mismatch = False
        self.rows = 0
        self._expect(list(header), "header")

    def _next_actual(self) -> list[str] | None:
        """The member's next row; on unreadable CSV, reports it and stops comparing."""
        try:
            return next(self._actual, None)
        except (UnicodeDecodeError, csv.Error) as exc:
            self._mismatch = True
            self._out.fail(self.name, "format", f"not a UTF-8 CSV: {exc}")
            return None

    def _expect(self, row: list[str], label: str) -> None:
        self._sha256.update(self._encoder.encode(row))
        if self._mismatch:
            return
        actual = self._next_actual()
        if not self._mismatch and actual != row:
            self._mismatch = True
            shown = "missing" if actual is None else str(actual)
            self._out.fail(self.name, AGREES, f"{label} is {shown}, the events give {row}")

    def expect(self, row: list[str]) -> None:
        self.rows += 1
        self._expect(row, f"row {self.rows}")

    def finish(self, actual_sha256: str, manifest_rows: int | None) -> None:
        if not self._mismatch and self._next_actual() is not None:
            self._mismatch = True
            self._out.fail(
                self.name, AGREES, f"has rows after row {self.rows} the events do not give"
            )
        if not self._mismatch and self._sha256.hexdigest() != actual_sha256:
            self._out.fail(self.name, "canonical CSV", "bytes differ from the RFC 4180 encoding")
        if manifest_rows != self.rows:
            self._out.fail(
                self.name, "rows", f"manifest says {manifest_rows}, events give {self.rows}"
            )


@dataclass(frozen=True, slots=True)
class ContentCounts:
    events: int
    training: int
    release: int
    #: Register rows; None for a revision-1 pack (it has no register).
    register: int | None = None


def check_content(
    zf: zipfile.ZipFile,
    manifest: Manifest,
    period: Period,
    sha256_of: dict[str, str],
    revision: int,
    out: Findings,
) -> ContentCounts:
    """Stream events.jsonl once, checking every line and regenerating the CSVs alongside:
    the per-event ones row by row, the register (revision 2) from the last states at the end."""
    rows_of = {entry.path: entry.rows for entry in manifest.files}
    log_json = manifest.log
    accumulator: MerkleAccumulator | None = None
    try:
        start = LogState(
            log_json.tree_size_before, tuple(map(bytes.fromhex, log_json.frontier_before))
        )
        accumulator = MerkleAccumulator(start)
    except FrontierError as exc:
        out.fail(MANIFEST_JSON, "frontier_before", str(exc))
    checks = {
        TRAINING_CSV: _CsvCheck(zf, TRAINING_CSV, TRAINING_HEADER, out),
        RELEASE_CSV: _CsvCheck(zf, RELEASE_CSV, RELEASE_HEADER, out),
    }
    register = Register() if revision >= 2 else None
    if register is not None:
        checks[REGISTER_CSV] = _CsvCheck(zf, REGISTER_CSV, REGISTER_HEADER, out)
    expected_index = log_json.tree_size_before
    lines = 0
    with zf.open(EVENTS_JSONL) as events:
        for raw in events:
            lines += 1
            where = f"line {lines}"
            if not raw.endswith(b"\n"):
                out.fail(EVENTS_JSONL, "format", f"{where} does not end with a newline")
            line = raw.removesuffix(b"\n")
            if accumulator is not None:
                accumulator.add(leaf_hash(line))
            try:
                record = AuditRecord.from_line(line)
            except RecordError as exc:
                out.fail(EVENTS_JSONL, "canonical record", f"{where}: {exc}")
                expected_index += 1
                continue
            if record.index != expected_index:
                out.fail(
                    EVENTS_JSONL,
                    "index continuity",
                    f"{where} has index {record.index}, expected {expected_index}",
                )
            expected_index = record.index + 1
            if not period.contains(record.recorded_at):
                out.fail(EVENTS_JSONL, "in period", f"{where} was recorded outside the period")
            for problem in event_problems(record.event, manifest.operator_id):
                out.fail(EVENTS_JSONL, "event", f"{where}: {problem}")
            try:
                derived = csv_row_for(record.event, revision=revision)
                if register is not None:
                    register.add(record.event, line)
            except DerivationError as exc:
                out.fail(EVENTS_JSONL, "event data", f"{where}: {exc}")
                continue
            if derived is not None:
                checks[derived[0]].expect(derived[1])
    if rows_of.get(EVENTS_JSONL) != lines:
        out.fail(
            EVENTS_JSONL, "rows", f"manifest says {rows_of.get(EVENTS_JSONL)}, file has {lines}"
        )
    if accumulator is not None:
        state = accumulator.state()
        if state.size != log_json.tree_size:
            out.fail(
                MANIFEST_JSON,
                "merkle tree size",
                f"tree_size_before {log_json.tree_size_before} + {lines} events = {state.size}, "
                f"manifest says {log_json.tree_size}",
            )
        if state.root.hex() != log_json.root:
            out.fail(
                MANIFEST_JSON,
                "merkle root",
                f"appending events.jsonl to frontier_before gives {state.root.hex()}, "
                f"manifest says {log_json.root}",
            )
    if register is not None:
        try:
            for row in register.rows():
                checks[REGISTER_CSV].expect(row)
        except (DerivationError, RecordError) as exc:
            out.fail(EVENTS_JSONL, "event data", f"a training state the register shows: {exc}")
    for name, check in checks.items():
        check.finish(sha256_of.get(name, ""), rows_of.get(name))
    return ContentCounts(
        lines,
        checks[TRAINING_CSV].rows,
        checks[RELEASE_CSV].rows,
        None if register is None else checks[REGISTER_CSV].rows,
    )


def _notices(zf: zipfile.ZipFile) -> list[CertificateNotice]:
    with zf.open(EVENTS_JSONL) as events:
        return notices_in(events)


def check_summary(
    zf: zipfile.ZipFile,
    manifest: Manifest,
    period: Period,
    counts: ContentCounts,
    actual_sha256: str,
    out: Findings,
) -> None:
    """Regenerate summary.html from the manifest facts, the CSV rows and (revision 2) the
    certificate notices of the events; compare the hash. A revision-1 pack may also carry the
    page packs built before the inspector summary have (`summary_legacy`)."""
    facts = SummaryFacts(
        operator_id=manifest.operator_id,
        period=period,
        pack_seq=manifest.pack_seq,
        previous_manifest_sha256=manifest.previous_manifest_sha256,
        event_count=counts.events,
        training_count=counts.training,
        release_count=counts.release,
        tree_size_before=manifest.log.tree_size_before,
        tree_size=manifest.log.tree_size,
        root_hex=manifest.log.root,
        key_id=manifest.key_id,
    )
    revision_2 = REGISTER_CSV in zf.namelist()

    def rows(name: str) -> Iterator[list[str]]:
        reader = _csv_reader(zf, name)
        next(reader, None)
        yield from reader

    def sha256_of(render: Callable[[Callable[[bytes], object]], None]) -> str:
        digest = hashlib.sha256()
        render(digest.update)
        return digest.hexdigest()

    try:
        notices = _notices(zf) if revision_2 else None
        register = rows(REGISTER_CSV) if revision_2 else None
        current = sha256_of(
            lambda w: write_summary(
                w, facts, rows(TRAINING_CSV), rows(RELEASE_CSV), register, notices
            )
        )
        if current == actual_sha256:
            return
        if not revision_2 and actual_sha256 == sha256_of(
            lambda w: write_legacy_summary(w, facts, rows(TRAINING_CSV), rows(RELEASE_CSV))
        ):
            return
    except (UnicodeDecodeError, csv.Error) as exc:
        out.fail(SUMMARY_HTML, AGREES, f"cannot regenerate it: {exc}")
        return
    out.fail(SUMMARY_HTML, AGREES, "differs from the summary the manifest and events give")
