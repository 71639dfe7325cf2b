"""What summary.html shows, as plain data: the pack's CSV rows read into named fields, the
certificate events it lists, and what needs an inspector's attention.

Everything here is a total function of pack content: a forged or malformed row is shown as it
is, never refused (the verifier reports the CSVs themselves), so the page always renders.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Final, Literal, NamedTuple

from pydantic import ValidationError

from auditpack.derive import LIST_SEPARATOR, RELEASE_HEADER, TRAINING_HEADER
from auditpack.period import utc_text
from auditpack.records import RecordError, load_json
from auditpack.register import REGISTER_CSV as REGISTER_CSV
from auditpack.register import REGISTER_HEADER
from contracts.assessment import CertificationExpired, CertificationRevoked, TrainingState

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


def _cells(row: Sequence[str], width: int) -> list[str]:
    """A row padded or cut to `width` cells (the verifier may feed anything)."""
    cells = list(row)
    return cells[:width] if len(cells) >= width else cells + [""] * (width - len(cells))


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(LIST_SEPARATOR) if v) if value else ()


class Release(NamedTuple):
    """One row of release-evidence.csv, by column name (lists still `;`-joined)."""

    release_id: str
    jurisdiction: str
    tooling_text: str
    released_at: str
    reason: str
    certificate_ids_text: str
    passed_at_text: str
    override_actor: str
    override_reason: str
    trained_before_release: str

    @classmethod
    def from_row(cls, row: Sequence[str]) -> "Release":
        return cls._make(_cells(row, len(RELEASE_HEADER)))

    @property
    def tooling(self) -> tuple[str, ...]:
        return _split(self.tooling_text)

    @property
    def certificate_ids(self) -> tuple[str, ...]:
        return _split(self.certificate_ids_text)

    @property
    def passed_at(self) -> tuple[str, ...]:
        return _split(self.passed_at_text)

    @property
    def trained(self) -> bool:
        return self.trained_before_release == "true"

    @property
    def forced(self) -> bool:
        return self.reason == "manual_override"


class Attempt(NamedTuple):
    """One row of training-records.csv (an exam attempt), by column name."""

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
        return cls._make(_cells(row, len(TRAINING_HEADER)))


class RegisterEntry(NamedTuple):
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
    modules_required_text: str
    modules_completed_text: str
    attempts: str
    best_score: str
    pass_mark: str
    result: str
    certificate_id: str
    certificate_valid_until: str

    @classmethod
    def from_row(cls, row: Sequence[str]) -> "RegisterEntry":
        return cls._make(_cells(row, len(REGISTER_HEADER)))

    @property
    def modules_required(self) -> tuple[str, ...]:
        return _split(self.modules_required_text)

    @property
    def modules_missing(self) -> tuple[str, ...]:
        done = {pair.partition("=")[0] for pair in _split(self.modules_completed_text)}
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


def notices_in(stream: IO[bytes], chunk_size: int = 1 << 20) -> list[CertificateNotice]:
    """`notices_from_lines` of a whole events.jsonl, read a MiB at a time: only chunks that
    hold a notice's type are split into lines, so a day of a million lessons costs a scan."""
    notices: list[CertificateNotice] = []
    tail = b""
    while block := stream.read(chunk_size):
        block = tail + block
        cut = block.rfind(b"\n") + 1
        whole, tail = block[:cut], block[cut:]
        if any(marker in whole for marker in _NOTICE_MARKERS):
            notices += notices_from_lines(whole.split(b"\n"))
    return notices + notices_from_lines([tail]) if tail else notices


@dataclass
class Names:
    """What makes codes readable: regulators by jurisdiction, track titles by version, and
    the holders of the certificates the releases cite (nothing that grows with the day)."""

    regulators: dict[str, str] = field(default_factory=dict)
    tracks: dict[str, dict[str, str]] = field(default_factory=dict)
    holders: dict[str, str] = field(default_factory=dict)
    wanted: frozenset[str] = frozenset()
    #: Rendered track cells by (jurisdiction, version, title): the same few on every row.
    cells: dict[tuple[str, str, str], str] = field(default_factory=dict)

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
        """The regulator with its code, "Malta Gaming Authority (MGA)", else the code alone."""
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
