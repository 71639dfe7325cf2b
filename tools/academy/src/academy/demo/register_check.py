"""Reading the packs' training register: was every certificate preceded by its training?

A certificate is issued by a passing attempt (`training-records.csv`); the register
(`training-register.csv`, audit pack contract revision 2) shows each staff member's required
modules and when each was completed. Trained means every required module was completed before
the attempt that issued the certificate started.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from contracts.catalogue import track_key


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Issued:
    """A certificate and the start of the attempt that earned it."""

    certificate_id: str
    staff_id: str
    track_key: str
    attempt_started_at: datetime


def issued_certificates(training_records: Iterable[dict[str, str]]) -> list[Issued]:
    """The certificates the passing attempts of `training-records.csv` rows issued."""
    return [
        Issued(
            row["certificate_id"],
            row["staff_id"],
            track_key(row["jurisdiction"], row["role"]),
            _time(row["started_at"]),
        )
        for row in training_records
        if row["certificate_id"]
    ]


def untrained_modules(register_row: dict[str, str], *, before: datetime) -> list[str]:
    """The required modules a register row does not show completed before `before`."""
    completed = dict(
        pair.split("=", 1) for pair in register_row["modules_completed"].split(";") if pair
    )
    return [
        module
        for module in register_row["modules_required"].split(";")
        if module and not (module in completed and _time(completed[module]) <= before)
    ]


@dataclass
class RegisterFindings:
    """Per (staff_id, track_key): how many certificates the register shows trained / not."""

    trained: dict[tuple[str, str], int] = field(default_factory=dict)
    untrained: dict[tuple[str, str], int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def check_register(
    issued: Iterable[Issued],
    register_rows: list[dict[str, str]],
    *,
    waived: set[tuple[str, str]],
) -> RegisterFindings:
    """Every certificate needs a register row naming it; the row shows every required module
    completed before the exam, except for a (staff_id, track_key) whose training was waived,
    which must show some module missing."""
    findings = RegisterFindings()
    by_certificate: dict[str, list[dict[str, str]]] = {}
    for row in register_rows:
        if row["certificate_id"]:
            by_certificate.setdefault(row["certificate_id"], []).append(row)
    for cert in issued:
        key = (cert.staff_id, cert.track_key)
        rows = by_certificate.get(cert.certificate_id, [])
        if not rows:
            findings.problems.append(f"{key}: no register row names certificate {cert}")
        untrained = False
        for row in rows:  # a later pack's row may name the same certificate again
            if (row["staff_id"], row["track_key"]) != key:
                findings.problems.append(f"{key}: register row of another staff/track: {row}")
                continue
            missing = untrained_modules(row, before=cert.attempt_started_at)
            untrained = untrained or bool(missing)
            if bool(missing) != (key in waived):
                findings.problems.append(
                    f"{key}: certificate {cert.certificate_id} "
                    + (f"issued without {missing}" if missing else "shows training though waived")
                )
        if rows:
            tally = findings.untrained if untrained else findings.trained
            tally[key] = tally.get(key, 0) + 1
    return findings
