"""On-demand inspection bundle: an operator's daily packs for a range, plus a jurisdiction view.

The daily packs go in unchanged (byte-identical to the delivered ones, each verifiable with
`academy audit verify`, chained with `--previous`), because only whole packs prove anything:
a filtered events.jsonl could not carry the Merkle proof. Beside them, for convenience, the
two CSVs of all those days restricted to the jurisdiction, the public keys of the range, an
index and a README. The bundle is itself a deterministic stored zip.
"""

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, BinaryIO

from auditpack.derive import (
    RELEASE_CSV,
    RELEASE_HEADER,
    TRAINING_CSV,
    TRAINING_HEADER,
    CsvEncoder,
)
from auditpack.period import Period
from auditpack.public_keys import PUBLIC_KEY_FILE
from auditpack.zipstore import Entry, bytes_member, file_chunks, write_zip

FORMAT = "academy-inspection/1"


@dataclass(frozen=True, slots=True)
class InspectionScope:
    operator_id: str
    jurisdiction: str
    first_day: date
    last_day: date

    @property
    def filename(self) -> str:
        return (
            f"inspection-{self.operator_id}-{self.jurisdiction}-"
            f"{self.first_day.isoformat()}-{self.last_day.isoformat()}.zip"
        )


@dataclass(frozen=True, slots=True)
class DailyPack:
    """A built daily pack file and the chain facts the index lists for it."""

    day: date
    path: Path
    pack_seq: int
    manifest_sha256: str
    zip_sha256: str
    tree_size: int
    root: str
    event_count: int


@dataclass(frozen=True, slots=True)
class BundleResult:
    bytes: int
    training_rows: int
    release_rows: int


class _Spool:
    def __init__(self, file: IO[bytes]) -> None:
        self.file, self.rows = file, 0

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def member(self, name: str) -> Entry:
        self.file.flush()
        return name, file_chunks(self.file)


def _rows(pack: Path, name: str) -> Iterator[list[str]]:
    with zipfile.ZipFile(pack) as archive, archive.open(name) as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
        next(reader, None)
        yield from reader


def index_json(scope: InspectionScope, packs: list[DailyPack], counts: tuple[int, int]) -> bytes:
    document = {
        "format": FORMAT,
        "operator_id": scope.operator_id,
        "jurisdiction": scope.jurisdiction,
        "first_day": scope.first_day.isoformat(),
        "last_day": scope.last_day.isoformat(),
        "packs": [
            {
                "path": f"packs/{p.path.name}",
                "day": p.day.isoformat(),
                "pack_seq": p.pack_seq,
                "sha256": p.zip_sha256,
                "manifest_sha256": p.manifest_sha256,
                "events": p.event_count,
                "tree_size": p.tree_size,
                "root": p.root,
            }
            for p in packs
        ],
        "filtered": {
            f"training-records-{scope.jurisdiction}.csv": counts[0],
            f"release-evidence-{scope.jurisdiction}.csv": counts[1],
        },
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def readme(scope: InspectionScope, packs: list[DailyPack]) -> bytes:
    lines = [
        f"Licensing Academy inspection bundle ({FORMAT})",
        f"Operator {scope.operator_id}, jurisdiction {scope.jurisdiction}, "
        f"{scope.first_day.isoformat()} to {scope.last_day.isoformat()} (UTC days).",
        "",
        "packs/ holds the operator's daily audit packs, exactly as delivered to its archive.",
        "They are the evidence; verify each offline, with the one before it:",
        "",
    ]
    previous = None
    for pack in packs:
        check = f"  academy audit verify packs/{pack.path.name}"
        if previous is not None:
            check += f" --previous packs/{previous}"
        lines.append(check + f" --public-key {PUBLIC_KEY_FILE}")
        previous = pack.path.name
    lines += [
        "",
        f"{PUBLIC_KEY_FILE} lists the signing keys of the period; compare it with the key",
        "file the vendor published before trusting it.",
        f"training-records-{scope.jurisdiction}.csv and release-evidence-{scope.jurisdiction}.csv",
        "are the packs' CSV rows for this jurisdiction only, for reading; they prove nothing",
        "on their own.",
        "",
    ]
    return "\n".join(lines).encode()


def write_bundle(
    out: BinaryIO, scope: InspectionScope, packs: list[DailyPack], public_keys: bytes
) -> BundleResult:
    """Write the bundle for `packs` (the scope's days in order) to `out`."""
    with ExitStack() as stack:
        training = _Spool(stack.enter_context(tempfile.TemporaryFile()))
        release = _Spool(stack.enter_context(tempfile.TemporaryFile()))
        encoder = CsvEncoder()
        training.write(encoder.encode(TRAINING_HEADER))
        release.write(encoder.encode(RELEASE_HEADER))
        for spool, name, header in (
            (training, TRAINING_CSV, TRAINING_HEADER),
            (release, RELEASE_CSV, RELEASE_HEADER),
        ):
            column = header.index("jurisdiction")
            for pack in packs:
                for row in _rows(pack.path, name):
                    if row[column] == scope.jurisdiction:
                        spool.write(encoder.encode(row))
                        spool.rows += 1
        members = [
            bytes_member("README.txt", readme(scope, packs)),
            bytes_member("index.json", index_json(scope, packs, (training.rows, release.rows))),
            bytes_member(PUBLIC_KEY_FILE, public_keys),
            training.member(f"training-records-{scope.jurisdiction}.csv"),
            release.member(f"release-evidence-{scope.jurisdiction}.csv"),
        ]
        for pack in packs:
            handle = stack.enter_context(pack.path.open("rb"))
            members.append((f"packs/{pack.path.name}", file_chunks(handle)))
        size = write_zip(out, members, Period.day(scope.first_day).start)
    return BundleResult(bytes=size, training_rows=training.rows, release_rows=release.rows)
