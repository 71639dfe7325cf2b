"""summary.html as packs built before the inspector summary carry it (facts and the two CSVs as
raw tables). Kept only so `academy audit verify` still verifies those packs; never built."""

from collections.abc import Callable, Iterable, Sequence
from html import escape

from auditpack.derive import RELEASE_HEADER, TRAINING_HEADER
from auditpack.period import utc_text
from auditpack.summary import SummaryFacts

_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#111}"
    "table{border-collapse:collapse;margin:1em 0;font-size:.85em}"
    "th,td{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}"
    "th{background:#eee}td.h{font-family:monospace;word-break:break-all}"
)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _facts_table(facts: SummaryFacts) -> str:
    rows: list[tuple[str, str, bool]] = [
        ("Operator", facts.operator_id, False),
        ("Period start (UTC)", utc_text(facts.period.start), False),
        ("Period end (UTC, exclusive)", utc_text(facts.period.end), False),
        ("Pack sequence number", str(facts.pack_seq), False),
        ("Previous manifest SHA-256", facts.previous_manifest_sha256 or "none (first pack)", True),
        ("Audit events in this pack", str(facts.event_count), False),
        ("Exam attempts (training-records.csv)", str(facts.training_count), False),
        ("Tooling releases (release-evidence.csv)", str(facts.release_count), False),
        ("Log size before this pack", str(facts.tree_size_before), False),
        ("Log size after this pack", str(facts.tree_size), False),
        ("Merkle root (RFC 6962, SHA-256)", facts.root_hex, True),
        ("Signing key id (Ed25519)", facts.key_id, True),
    ]
    body = "".join(
        f'<tr><th scope="row">{_e(k)}</th><td{" class=h" if mono else ""}>{_e(v)}</td></tr>'
        for k, v, mono in rows
    )
    return f"<table>{body}</table>\n"


def _table_head(header: Sequence[str]) -> str:
    return "<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr></thead>"


def _table(
    write: Callable[[bytes], object],
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
) -> None:
    write(f"<h2>{_e(title)}</h2>\n{_table_head(header)}<tbody>\n".encode())
    count = 0
    for row in rows:
        cells = "".join(f"<td>{_e(cell)}</td>" for cell in row)
        write(f"<tr>{cells}</tr>\n".encode())
        count += 1
    if count == 0:
        write(f'<tr><td colspan="{len(header)}">None in this period.</td></tr>\n'.encode())
    write(b"</tbody></table>\n")


def write_legacy_summary(
    write: Callable[[bytes], object],
    facts: SummaryFacts,
    training_rows: Iterable[Sequence[str]],
    release_rows: Iterable[Sequence[str]],
) -> None:
    """The page as packs built before the inspector summary have it, byte for byte."""
    title = f"Audit pack: {facts.operator_id}, {utc_text(facts.period.start)}"
    write(
        (
            "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
            '<meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
            f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{_e(title)}</h1>\n"
            "<p>Licensing Academy audit pack (format academy-auditpack/1). The authoritative "
            "content is events.jsonl; the tables below are derived from it. Verify this pack "
            "offline with <code>academy audit verify PACK --public-key KEY</code>.</p>\n"
        ).encode()
    )
    write(_facts_table(facts).encode())
    _table(write, "Training records (exam attempts)", TRAINING_HEADER, training_rows)
    _table(write, "Release evidence (tooling unlocked)", RELEASE_HEADER, release_rows)
    write(b"</body>\n</html>\n")
