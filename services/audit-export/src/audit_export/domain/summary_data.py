"""What summary.html shows, as plain data: the pack's CSV rows read into named fields, the
certificate events it lists, and what needs an inspector's attention.

Everything here is a total function of pack content: a forged or malformed row is shown as it
is, never refused (the verifier reports the CSVs themselves), so the page always renders.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from pydantic import ValidationError

from audit_export.domain.derive import LIST_SEPARATOR, RELEASE_HEADER, TRAINING_HEADER
from audit_export.domain.period import utc_text
from audit_export.domain.records import RecordError, load_json
from contracts.assessment import CertificationExpired, CertificationRevoked, TrainingState

#: The training register's header as the audit pack contract (revision 2) states it.
REGISTER_CSV: Final = "training-register.csv"
REGISTER_HEADER_LINE: Final = (
    "staff_id,staff_name,staff_email,role,jurisdiction,regulator,track_key,track_title,"
    "track_version,modules_required,modules_completed,attempts,best_score,pass_mark,result,"
    "certificate_id,certificate_valid_until"
)
REGISTER_HEADER: Final = tuple(REGISTER_HEADER_LINE.split(","))

#: The event types whose events the summary lists (from revision 2), besides the CSV rows.
NOTICE_TYPES: Final = frozenset({CertificationRevoked.ce_type, CertificationExpired.ce_type})
_NOTICE_MARKERS = tuple(f'"type":"{t}"'.encode() for t in sorted(NOTICE_TYPES))

_HEX = re.compile(r"[0-9a-f]+")
SHORT_VERSION = 12


def short_version(version: str) -> str:
    """A content-addressed (long hex) track version cut to its first 12 digits; others whole."""
    if len(version) > SHORT_VERSION + 4 and _HEX.fullmatch(version):
        return version[:SHORT_VERSION]
    return version


def _fields(row: Sequence[str], header: Sequence[str]) -> dict[str, str]:
    """A row as {column: value}, padded or cut to the header (the verifier may feed anything)."""
    cells = list(row)[: len(header)]
    return dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(LIST_SEPARATOR) if v) if value else ()


@dataclass(frozen=True, slots=True)
class Release:
    """One row of release-evidence.csv."""

    release_id: str
    jurisdiction: str
    tooling: tuple[str, ...]
    released_at: str
    reason: str
    certificate_ids: tuple[str, ...]
    passed_at: tuple[str, ...]
    override_actor: str
    override_reason: str
    trained: bool

    @classmethod
    def from_row(cls, row: Sequence[str]) -> "Release":
        f = _fields(row, RELEASE_HEADER)
        return cls(
            release_id=f["release_id"],
            jurisdiction=f["jurisdiction"],
            tooling=_split(f["tooling"]),
            released_at=f["released_at"],
            reason=f["reason"],
            certificate_ids=_split(f["certificate_ids"]),
            passed_at=_split(f["certificates_passed_at"]),
            override_actor=f["override_actor"],
            override_reason=f["override_reason"],
            trained=f["trained_before_release"] == "true",
        )

    @property
    def forced(self) -> bool:
        return self.reason == "manual_override"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One row of training-records.csv (an exam attempt)."""

    attempt_id: str
    staff_id: str
    staff_name: str
    staff_email: str
    role: str
    jurisdiction: str
    track_version: str
    attempt_number: str
    started_at: str
    submitted_at: str
    score: str
    pass_mark: str
    result: str
    certificate_id: str
    certificate_valid_until: str

    @classmethod
    def from_row(cls, row: Sequence[str]) -> "Attempt":
        return cls(**_fields(row, TRAINING_HEADER))


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """One row of training-register.csv (a staff member's standing on one track)."""

    staff_id: str
    staff_name: str
    staff_email: str
    role: str
    jurisdiction: str
    regulator: str
    track_key: str
    track_title: str
    track_version: str
    modules_required: tuple[str, ...]
    modules_completed: tuple[str, ...]
    attempts: str
    best_score: str
    pass_mark: str
    result: str
    certificate_id: str
    certificate_valid_until: str

    @classmethod
    def from_row(cls, row: Sequence[str]) -> "RegisterEntry":
        f: dict[str, Any] = _fields(row, REGISTER_HEADER)
        f["modules_required"] = _split(f["modules_required"])
        f["modules_completed"] = tuple(p.partition("=")[0] for p in _split(f["modules_completed"]))
        return cls(**f)

    @property
    def modules_missing(self) -> tuple[str, ...]:
        done = set(self.modules_completed)
        return tuple(m for m in self.modules_required if m not in done)


@dataclass(frozen=True, slots=True)
class CertificateNotice:
    """A certificate that stopped counting as evidence in the period: revoked or expired."""

    kind: Literal["revoked", "expired"]
    certificate_id: str
    staff_id: str
    role: str
    jurisdiction: str
    at: str
    actor: str = ""
    reason: str = ""
    staff_name: str = ""
    regulator: str = ""
    track_title: str = ""
    track_version: str = ""


def certificate_notice(event: Mapping[str, Any]) -> CertificateNotice | None:
    """The notice a structured CloudEvent gives, or None (another type, or data that does not
    match its contract: the summary then shows nothing for it, identically on both sides)."""
    ce_type = event.get("type")
    if ce_type not in NOTICE_TYPES:
        return None
    try:
        if ce_type == CertificationRevoked.ce_type:
            revoked = CertificationRevoked.model_validate(event.get("data"))
            kind: Literal["revoked", "expired"] = "revoked"
            at, actor, reason = revoked.revoked_at, revoked.actor, revoked.reason
            data: CertificationRevoked | CertificationExpired = revoked
        else:
            data = CertificationExpired.model_validate(event.get("data"))
            kind, at, actor, reason = "expired", data.expired_at, "", ""
    except ValidationError:
        return None
    state: TrainingState | None = data.training
    return CertificateNotice(
        kind=kind,
        certificate_id=data.certificate_id,
        staff_id=data.staff_id,
        role=data.role,
        jurisdiction=data.jurisdiction,
        at=utc_text(at),
        actor=actor,
        reason=reason,
        staff_name=state.staff_name if state else "",
        regulator=state.regulator if state else "",
        track_title=state.track_title if state else "",
        track_version=state.track_version if state else "",
    )


def notices_from_lines(lines: Iterable[bytes]) -> list[CertificateNotice]:
    """The notices of events.jsonl lines, in log order (the verifier's side of the builder's
    `certificate_notice` calls); lines that are not records are skipped."""
    notices: list[CertificateNotice] = []
    for line in lines:
        if not any(marker in line for marker in _NOTICE_MARKERS):
            continue
        try:
            value = load_json(line)
        except RecordError:
            continue
        event = value.get("event") if isinstance(value, dict) else None
        notice = certificate_notice(event) if isinstance(event, dict) else None
        if notice is not None:
            notices.append(notice)
    return notices


@dataclass
class Names:
    """What makes codes readable: regulators by jurisdiction, track titles by version, and
    the holders of the certificates the releases cite (nothing that grows with the day)."""

    regulators: dict[str, str] = field(default_factory=dict)
    tracks: dict[str, dict[str, str]] = field(default_factory=dict)
    holders: dict[str, str] = field(default_factory=dict)
    wanted: frozenset[str] = frozenset()

    def track(self, jurisdiction: str, version: str, title: str = "") -> None:
        titles = self.tracks.setdefault(jurisdiction, {})
        if not titles.get(version):
            titles[version] = title

    def regulator(self, jurisdiction: str, name: str) -> None:
        if name and jurisdiction not in self.regulators:
            self.regulators[jurisdiction] = name

    def holder(self, certificate_id: str, name: str) -> None:
        if certificate_id in self.wanted and name and certificate_id not in self.holders:
            self.holders[certificate_id] = name

    def jurisdiction(self, code: str) -> str:
        """ "Malta Gaming Authority (MGA)": the regulator with its code, else the code alone."""
        name = self.regulators.get(code, "")
        if not name or name == code:
            return code
        return name if f"({code})" in name else f"{name} ({code})"

    def track_title(self, jurisdiction: str, version: str) -> str:
        return self.tracks.get(jurisdiction, {}).get(version, "")


@dataclass(frozen=True, slots=True)
class Attention:
    """The first section's lists."""

    forced: tuple[Release, ...]
    untrained: tuple[Release, ...]
    certificates: tuple[CertificateNotice, ...] | None

    @property
    def count(self) -> int:
        return len(self.forced) + len(self.untrained) + len(self.certificates or ())


def attention(
    releases: Sequence[Release], notices: Sequence[CertificateNotice] | None
) -> Attention:
    return Attention(
        forced=tuple(r for r in releases if r.forced),
        untrained=tuple(r for r in releases if not r.trained),
        certificates=None if notices is None else tuple(notices),
    )
