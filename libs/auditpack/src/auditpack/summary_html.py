"""The HTML pieces of summary.html: style sheet, escaping, readable times and names, tables.

Every value from a pack goes through `e` (HTML-escaped, quotes included); the markup around it
is fixed text, so a hostile staff name or reason can only ever appear as text.
"""

import functools
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

STYLE = (
    "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;"
    "background:#fff;margin:0 auto;max-width:72rem;padding:1.5rem 2rem}"
    "h1{font-size:1.6rem;margin:0 0 .3rem}"
    "h2{font-size:1.3rem;margin:2.2rem 0 .6rem;padding-bottom:.2rem;"
    "border-bottom:2px solid #1a1a1a}"
    "h3{font-size:1.1rem;margin:1.6rem 0 .4rem}"
    "h4{font-size:1rem;margin:1.1rem 0 .3rem}"
    ".lead{color:#333;margin-top:.2rem}"
    "nav ol{margin:.3rem 0;padding-left:1.4rem}"
    ".box{border:2px solid #1b5e20;border-radius:4px;padding:.2rem 1rem .6rem;background:#f3faf3}"
    ".box.warn{border-color:#a30015;background:#fff6f6}"
    ".count{font-weight:700;font-size:1.05rem}"
    "ul.items{padding-left:1.3rem}ul.items li{margin:.35rem 0}"
    "table{border-collapse:collapse;width:100%;margin:.4rem 0 1.2rem;font-size:.9rem}"
    "caption{text-align:left;font-weight:600;padding:.2rem 0 .4rem}"
    "th,td{border:1px solid #b5b5b5;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "thead th{background:#ececec}"
    "tbody th{background:#f6f6f6;font-weight:600;width:17rem}"
    ".mono{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:.85em;"
    "overflow-wrap:break-word}"
    ".hash{word-break:break-all}"
    ".sub{display:block;color:#555;font-size:.85em}"
    ".no{color:#a30015;font-weight:700}.yes{color:#1b5e20;font-weight:700}"
    "dt{font-weight:700;margin-top:.5rem}dd{margin:.1rem 0 .4rem 1.4rem}"
    "@page{size:A4;margin:14mm 12mm}"
    "@media print{"
    "body{font-size:9.5pt;max-width:none;padding:0;color:#000}"
    "nav{display:none}"
    "main>section+section{break-before:page}"
    "h2,h3,h4,caption{break-after:avoid}"
    "tr,li,dd{break-inside:avoid}"
    "thead{display:table-header-group}"
    ".box,.box.warn,thead th,tbody th{background:none}"
    "a{color:inherit;text-decoration:none}"
    "}"
)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


_SPECIAL = re.compile(r"[&<>\"']")
_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z")


def e(text: object) -> str:
    """HTML-escaped text, quotes included (most values need nothing, so check first)."""
    value = str(text)
    return escape(value, quote=True) if _SPECIAL.search(value) else value


def day_text(moment: datetime) -> str:
    """A day as "24 November 2026" (no locale involved, so the page is the same everywhere)."""
    return f"{moment.day} {_MONTH_NAMES[moment.month - 1]} {moment.year}"


@functools.lru_cache(maxsize=1024)
def _day(date: str) -> str | None:
    """ISO date 2026-11-24 as 24 Nov 2026; None for a month that does not exist."""
    year, month, day = date.split("-")
    return f"{int(day)} {_MONTHS[int(month) - 1]} {year}" if 1 <= int(month) <= 12 else None


def _stamp(value: str) -> tuple[str, str] | None:
    """("24 Nov 2026", "09:41:12") for a pack timestamp (UTC RFC 3339, `Z`), else None.

    Read from the text, not parsed into a datetime: the page shows what the pack says, and
    ten thousand rows a day make the difference measurable."""
    match = _STAMP.fullmatch(value)
    if match is None:
        return None
    date, clock, fraction = match.groups()
    day = _day(date)
    if day is None:
        return None
    fraction = (fraction or "").rstrip("0")
    return day, f"{clock}.{fraction}" if fraction else clock


def moment_text(value: str) -> str:
    """A pack timestamp as "24 Nov 2026, 09:41:12 UTC"; any other text as it is."""
    parts = _stamp(value)
    return value if parts is None else f"{parts[0]}, {parts[1]} UTC"


def span_text(start: str, end: str) -> str:
    """Two timestamps as "24 Nov 2026, 09:10:00 to 09:41:12 UTC" when on one day."""
    first, last = _stamp(start), _stamp(end)
    if first is not None and last is not None and first[0] == last[0]:
        return f"{first[0]}, {first[1]} to {last[1]} UTC"
    return f"{moment_text(start)} to {moment_text(end)}"


@functools.lru_cache(maxsize=64)
def role_text(role: str) -> str:
    """A role id as words: compliance_officer -> Compliance officer."""
    words = role.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "(no role)"


def mono(text: str) -> str:
    return f'<span class="mono">{e(text)}</span>'


def sub(html: str) -> str:
    """A second, smaller line in a cell (already escaped)."""
    return f'<span class="sub">{html}</span>'


def quoted(text: str) -> str:
    return f"“{e(text)}”"


def stop(text: str) -> str:
    """The full stop a sentence ending in quoted `text` needs (none after its own)."""
    return "" if text.rstrip().endswith((".", "!", "?")) else "."


def table_start(caption: str, headers: Sequence[str]) -> str:
    cols = "".join(f'<th scope="col">{e(h)}</th>' for h in headers)
    return f"<table>\n<caption>{e(caption)}</caption>\n<thead><tr>{cols}</tr></thead>\n<tbody>\n"


TABLE_END = "</tbody>\n</table>\n"


def row(cells: Iterable[str]) -> str:
    """A body row of already escaped cells."""
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>\n"


def _hash(text: str) -> str:
    return f'<span class="mono hash">{e(text)}</span>'


def facts_table(caption: str, rows: Iterable[tuple[str, str, bool]]) -> str:
    """A two-column table of labelled facts; `True` marks hashes and ids (monospace)."""
    body = "".join(
        f'<tr><th scope="row">{e(label)}</th><td>{_hash(value) if hashed else e(value)}</td></tr>\n'
        for label, value, hashed in rows
    )
    return f"<table>\n<caption>{e(caption)}</caption>\n<tbody>\n{body}{TABLE_END}"
