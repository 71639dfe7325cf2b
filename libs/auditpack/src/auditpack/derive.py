"""The per-event CSV views inspectors read, derived from the events (by the builder and
verifier); the training register, which aggregates, is in `register.py`."""

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import ValidationError

from auditpack.period import utc_text
from contracts.assessment import AttemptSubmitted
from contracts.common import Evidence
from contracts.portal import ToolingUnlocked

TRAINING_CSV: Final = "training-records.csv"
RELEASE_CSV: Final = "release-evidence.csv"

#: The header lines exactly as the audit pack contract states them.
TRAINING_HEADER_LINE = (
    "attempt_id,staff_id,staff_name,staff_email,role,jurisdiction,track_version,attempt_number,"
    "started_at,submitted_at,score,pass_mark,result,certificate_id,certificate_valid_until"
)
RELEASE_HEADER_LINE = (
    "release_id,jurisdiction,tooling,released_at,reason,certificate_ids,certificates_passed_at,"
    "override_actor,override_reason,trained_before_release"
)
TRAINING_HEADER = tuple(TRAINING_HEADER_LINE.split(","))
RELEASE_HEADER = tuple(RELEASE_HEADER_LINE.split(","))

LIST_SEPARATOR = ";"

#: The event types that contribute a row to training-records.csv or release-evidence.csv.
CSV_TYPES: Final = frozenset({AttemptSubmitted.ce_type, ToolingUnlocked.ce_type})

CsvName = Literal["training-records.csv", "release-evidence.csv"]


class DerivationError(ValueError):
    """An event of a CSV-bearing type whose data does not match its contract."""


def time_text(value: datetime | None) -> str:
    """A CSV timestamp: UTC RFC 3339 with `Z`, empty for None."""
    return "" if value is None else utc_text(value)


def trained_before_release(
    evidence: Sequence[Evidence], released_at: datetime, *, revision: int = 1
) -> bool:
    """True when some certificate was passed strictly before the release and had not expired,
    and (from contract revision 2) its track version's required modules were all completed no
    later than the certificate was issued.

    A certificate passed at the very instant of release is not "before"; one expiring at that
    instant is no longer valid. A certificate with no training record fails revision 2.
    """
    return any(
        e.passed_at < released_at < e.expires_at
        and (revision < 2 or (e.training is not None and e.training.complete_by(e.passed_at)))
        for e in evidence
    )


def training_row(data: AttemptSubmitted) -> list[str]:
    return [
        data.attempt_id,
        data.staff_id,
        data.staff_name,
        data.staff_email,
        data.role,
        data.jurisdiction,
        data.track_version,
        str(data.attempt_number),
        time_text(data.started_at),
        time_text(data.submitted_at),
        str(data.score),
        str(data.pass_mark),
        data.result,
        data.certificate_id or "",
        time_text(data.certificate_valid_until),
    ]


def release_row(data: ToolingUnlocked, *, revision: int) -> list[str]:
    """The release-evidence.csv row; `trained_before_release` by the pack's contract revision."""
    released_at = data.unlocked_at
    trained = trained_before_release(data.evidence, released_at, revision=revision)
    return [
        data.release_id,
        data.jurisdiction,
        LIST_SEPARATOR.join(data.tooling),
        time_text(released_at),
        data.reason,
        LIST_SEPARATOR.join(e.certificate_id for e in data.evidence),
        LIST_SEPARATOR.join(time_text(e.passed_at) for e in data.evidence),
        data.override.actor if data.override else "",
        data.override.reason if data.override else "",
        "true" if trained else "false",
    ]


def csv_row_for(event: Mapping[str, Any], *, revision: int) -> tuple[CsvName, list[str]] | None:
    """The per-event CSV file and row an event contributes, or None for events no CSV shows."""
    ce_type = event.get("type")
    try:
        if ce_type == AttemptSubmitted.ce_type:
            return TRAINING_CSV, training_row(AttemptSubmitted.model_validate(event.get("data")))
        if ce_type == ToolingUnlocked.ce_type:
            unlock = ToolingUnlocked.model_validate(event.get("data"))
            return RELEASE_CSV, release_row(unlock, revision=revision)
    except ValidationError as exc:
        raise DerivationError(f"{ce_type} data does not match its contract: {exc}") from exc
    return None


class CsvEncoder:
    """RFC 4180 rows (CRLF, minimal quoting) as UTF-8 bytes, one row at a time."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def encode(self, row: Sequence[str]) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(row)
        return self._buffer.getvalue().encode("utf-8")
