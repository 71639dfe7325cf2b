"""summary.html: the page an inspector reads without help, self-contained and fully escaped.

It is a deterministic function of the manifest facts, the CSV rows and, from contract revision
2 (packs with training-register.csv), the certificate notices of the period's events, so the
verifier regenerates it and compares bytes. Rows stream past once: the few releases and
notices are held, exam attempts and register rows are grouped by jurisdiction in temporary
files, so memory does not grow with the day.
"""

import tempfile
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from auditpack import summary_sections as s
from auditpack.period import Period, utc_text
from auditpack.summary_data import (
    REGISTER_CSV,
    Attempt,
    CertificateNotice,
    Names,
    RegisterEntry,
    Release,
    attention,
)
from auditpack.summary_html import (
    STYLE,
    TABLE_END,
    day_text,
    e,
    moment_text,
    mono,
    table_start,
)

SUMMARY_HTML = "summary.html"

Rows = Iterable[Sequence[str]]
Write = Callable[[bytes], object]


@dataclass(frozen=True, slots=True)
class SummaryFacts:
    """The pack-level facts the summary shows (all of them also in manifest.json)."""

    operator_id: str
    period: Period
    pack_seq: int
    previous_manifest_sha256: str | None
    event_count: int
    training_count: int
    release_count: int
    tree_size_before: int
    tree_size: int
    root_hex: str
    key_id: str


_RELEASE_HEADERS = (
    "Released",
    "Tooling",
    "How it was released",
    "Evidence certificates",
    "Trained before release?",
)
_REGISTER_HEADERS = (
    "Staff member",
    "Role",
    "Track",
    "Modules completed",
    "Exam attempts",
    "Best score",
    "Result",
    "Certificate",
)
_ATTEMPT_HEADERS = (
    "Staff member",
    "Role",
    "Track",
    "Attempt",
    "Taken (UTC)",
    "Score",
    "Result",
    "Certificate",
)


class _Groups:
    """HTML rows per jurisdiction, kept in memory up to a few KiB each, then on disk."""

    SPOOL_AT = 16 * 1024

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._files: dict[str, IO[bytes]] = {}

    def add(self, key: str, html: str) -> None:
        file = self._files.get(key)
        if file is None:
            spooled = tempfile.SpooledTemporaryFile(max_size=self.SPOOL_AT)  # noqa: SIM115
            file = self._files[key] = self._stack.enter_context(spooled)
        file.write(html.encode())

    def keys(self) -> set[str]:
        return set(self._files)

    def __contains__(self, key: str) -> bool:
        return key in self._files

    def copy(self, key: str, write: Write) -> None:
        file = self._files[key]
        file.seek(0)
        while chunk := file.read(64 * 1024):
            write(chunk)


def _period_text(period: Period) -> str:
    start = period.start
    if period.end - start == timedelta(days=1) and start.time() == start.time().min:
        return f"the UTC day {day_text(start)}"
    return f"{moment_text(utc_text(start))} to {moment_text(utc_text(period.end))} (end excluded)"


def _head(facts: SummaryFacts) -> str:
    period = _period_text(facts.period)
    title = f"Audit pack: {facts.operator_id}, {period.removeprefix('the UTC day ')}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n"
        f"<h1>{e(title)}</h1>\n"
        f'<p class="lead">Evidence of staff training and of releases of licensing tooling for '
        f"operator {e(facts.operator_id)}, covering {e(period)}. This page is generated from "
        "the pack’s events (events.jsonl), which remain the authoritative record; "
        "<code>academy audit verify</code> checks that this page agrees with them.</p>\n"
        '<nav aria-label="Contents"><ol><li><a href="#attention">Needs attention</a></li>'
        '<li><a href="#releases">Releases of licensing tooling</a></li>'
        '<li><a href="#training">Staff training and certificates</a></li>'
        '<li><a href="#about">About this pack</a></li></ol></nav>\n</header>\n<main>\n'
    )


def _releases(
    releases: Sequence[Release], names: Names, notices: s.Notices, revision_2: bool
) -> str:
    parts = [
        '<section id="releases" aria-labelledby="releases-h">\n',
        '<h2 id="releases-h">Releases of licensing tooling</h2>\n',
        "<p>Each time the operator’s portal unlocked licensing tooling in a jurisdiction: how "
        "it was released and whether an evidence certificate shows staff were trained "
        "before it.</p>\n",
    ]
    if not releases:
        parts.append("<p>No licensing tooling was released in this period.</p>\n")
    for code in sorted({r.jurisdiction for r in releases}):
        parts.append(f"<h3>{e(names.jurisdiction(code))}</h3>\n")
        parts.append(table_start(f"Tooling released for {code} in this period", _RELEASE_HEADERS))
        parts += [
            s.release_row(r, names, notices, revision_2) for r in releases if r.jurisdiction == code
        ]
        parts.append(TABLE_END)
    parts.append("</section>\n")
    return "".join(parts)


def _tracks(names: Names, code: str) -> str:
    tracks = sorted(names.tracks.get(code, {}).items(), key=lambda item: (item[1], item[0]))
    if not tracks:
        return ""
    items = "".join(f"<li>{s.track_cell(names, code, version)}</li>\n" for version, _ in tracks)
    return f"<h4>Training tracks</h4>\n<ul>\n{items}</ul>\n"


def write_summary(
    write: Write,
    facts: SummaryFacts,
    training_rows: Rows,
    release_rows: Rows,
    register_rows: Rows | None = None,
    notices: Iterable[CertificateNotice] | None = None,
) -> None:
    """Write the page to `write`: data rows of training-records.csv and release-evidence.csv,
    and for a revision-2 pack those of training-register.csv and the period's certificate
    notices in log order (`certificate_notice` of each event); None for a revision-1 pack."""
    releases = [Release.from_row(r) for r in release_rows]
    held = None if notices is None else list(notices)
    cited = {c for r in releases for c in r.certificate_ids}
    names = Names(wanted=frozenset(cited | {n.certificate_id for n in held or ()}))
    by_certificate = {n.certificate_id: n for n in held or ()}
    for n in held or ():
        names.regulator(n.jurisdiction, n.regulator)
        if n.track_version:
            names.track(n.jurisdiction, n.track_version, n.track_title)
        names.holder(n.certificate_id, n.staff_name)
    revision_2 = register_rows is not None
    with ExitStack() as stack:
        register, attempts = _Groups(stack), _Groups(stack)
        for cells in register_rows or ():
            entry = RegisterEntry.from_row(cells)
            names.regulator(entry.jurisdiction, entry.regulator)
            names.track(entry.jurisdiction, entry.track_version, entry.track_title)
            names.holder(entry.certificate_id, entry.staff_name)
            register.add(entry.jurisdiction, s.register_row(entry, names, by_certificate))
        for cells in training_rows:
            attempt = Attempt.from_row(cells)
            names.track(attempt.jurisdiction, attempt.track_version)
            names.holder(attempt.certificate_id, attempt.staff_name)
            attempts.add(attempt.jurisdiction, s.attempt_row(attempt, names, by_certificate))
        text = _head(facts)
        text += s.attention_section(attention(releases, held), names, revision_2)
        text += _releases(releases, names, by_certificate, revision_2)
        write(text.encode())
        _training(write, names, register, attempts, held, revision_2)
    write(_about(facts, revision_2).encode())


def _training(
    write: Write,
    names: Names,
    register: _Groups,
    attempts: _Groups,
    notices: Sequence[CertificateNotice] | None,
    revision_2: bool,
) -> None:
    scope = (
        "each staff member’s training and certificate on each track, the exam attempts "
        "submitted in this period, and certificates revoked or expired."
        if revision_2
        else "the exam attempts submitted in this period. This pack predates the training "
        "register (contract revision 1), so it shows neither lesson and module completion nor "
        "revoked or expired certificates."
    )
    write(
        (
            '<section id="training" aria-labelledby="training-h">\n'
            '<h2 id="training-h">Staff training and certificates</h2>\n'
            f"<p>Per regulator: the training tracks staff took, {scope}</p>\n"
        ).encode()
    )
    codes = register.keys() | attempts.keys() | {n.jurisdiction for n in notices or ()}
    if not codes:
        write(b"<p>No training, exam or certificate activity in this period.</p>\n")
    for code in sorted(codes):
        write(f"<h3>{e(names.jurisdiction(code))}</h3>\n{_tracks(names, code)}".encode())
        if code in register:
            caption = "Training register: standing at the end of the period"
            write(table_start(caption, _REGISTER_HEADERS).encode())
            register.copy(code, write)
            write(TABLE_END.encode())
        if code in attempts:
            write(table_start("Exam attempts submitted", _ATTEMPT_HEADERS).encode())
            attempts.copy(code, write)
            write(TABLE_END.encode())
        else:
            write(b"<p>No exam attempts in this period.</p>\n")
        changed = [n for n in notices or () if n.jurisdiction == code]
        if changed:
            caption = "Certificates revoked or expired"
            headers = ["Certificate", "Holder", "Track", "What happened"]
            body = "".join(s.notice_row(n, names) for n in changed)
            write(f"{table_start(caption, headers)}{body}{TABLE_END}".encode())
    write(b"</section>\n")


def _about(facts: SummaryFacts, revision_2: bool) -> str:
    rows: list[tuple[str, str, bool]] = [
        ("Operator", facts.operator_id, False),
        ("Period start (UTC)", moment_text(utc_text(facts.period.start)), False),
        ("Period end (UTC, excluded)", moment_text(utc_text(facts.period.end)), False),
        ("Pack number in the operator’s chain", str(facts.pack_seq), False),
        ("Previous manifest SHA-256", facts.previous_manifest_sha256 or "none (first pack)", True),
        ("Audit events in this pack", str(facts.event_count), False),
        ("Exam attempts (training-records.csv)", str(facts.training_count), False),
        ("Tooling releases (release-evidence.csv)", str(facts.release_count), False),
    ]
    rows += [
        ("Audit log size before this pack", str(facts.tree_size_before), False),
        ("Audit log size after this pack", str(facts.tree_size), False),
        ("Merkle root (RFC 6962, SHA-256)", facts.root_hex, True),
        ("Signing key id (Ed25519)", facts.key_id, True),
    ]
    register = f"<li>{mono(REGISTER_CSV)}: each staff member’s training per track</li>\n"
    files = (
        "<h3>Files in this pack</h3>\n<ul>\n"
        f"<li>{mono('events.jsonl')}: every audit event of the period, the authoritative "
        "record</li>\n"
        f"<li>{mono('training-records.csv')}: one row per exam attempt</li>\n"
        f"<li>{mono('release-evidence.csv')}: one row per release of tooling</li>\n"
        f"{register if revision_2 else ''}"
        f"<li>{mono('keys.json')}, {mono('manifest.json')}, {mono('manifest.sig')}: the "
        "signing keys, every file’s SHA-256, and the signature over them</li>\n</ul>\n"
    )
    check = (
        "<h3>How to check this pack</h3>\n<p>Run <code>academy audit verify PACK --previous "
        "PREVIOUS_PACK --public-key KEYS</code> with the vendor’s public key file obtained "
        "separately. It checks the signature, every file’s hash, that the audit log only grew "
        "since the previous pack, and that the CSV files and this page agree with the events."
        "</p>\n"
    )
    return (
        '<section id="about" aria-labelledby="about-h">\n<h2 id="about-h">About this pack</h2>\n'
        f"{s.glossary(revision_2)}{s.facts(rows)}{files}{check}</section>\n"
        "</main>\n</body>\n</html>\n"
    )
