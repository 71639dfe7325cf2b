"""The HTML pieces of summary.html: style sheet, escaping, readable times and names, tables.

Every value from a pack goes through `e` (HTML-escaped, quotes included); the markup around it
is fixed text, so a hostile staff name or reason can only ever appear as text.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

from audit_export.domain.period import parse_utc

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
    "word-break:break-all}"
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


def e(text: object) -> str:
    """HTML-escaped text, quotes included."""
    return escape(str(text), quote=True)


def day_text(moment: datetime) -> str:
    """ "24 November 2026" (no locale involved, so the page is the same everywhere)."""
    return f"{moment.day} {_MONTH_NAMES[moment.month - 1]} {moment.year}"


def _clock(moment: datetime) -> str:
    text = f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    return f"{text}.{moment.microsecond:06d}".rstrip("0") if moment.microsecond else text


def moment_text(value: str) -> str:
    """ "24 Nov 2026, 09:41:12 UTC" for a pack timestamp; any other text as it is."""
    try:
        moment = parse_utc(value)
    except ValueError:
        return value
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}, {_clock(moment)} UTC"


def span_text(start: str, end: str) -> str:
    """ "24 Nov 2026, 09:10:00 to 09:41:12 UTC" when both fall on one day."""
    try:
        first, last = parse_utc(start), parse_utc(end)
    except ValueError:
        return f"{moment_text(start)} to {moment_text(end)}"
    if first.date() == last.date():
        return f"{moment_text(start).removesuffix(' UTC')} to {_clock(last)} UTC"
    return f"{moment_text(start)} to {moment_text(end)}"


def role_text(role: str) -> str:
    """ "compliance_officer" -> "Compliance officer"."""
    words = role.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "(no role)"


def mono(text: str) -> str:
    return f'<span class="mono">{e(text)}</span>'


def sub(html: str) -> str:
    """A second, smaller line in a cell (already escaped)."""
    return f'<span class="sub">{html}</span>'


def quoted(text: str) -> str:
    return f"“{e(text)}”"


def table_start(caption: str, headers: Sequence[str]) -> str:
    cols = "".join(f'<th scope="col">{e(h)}</th>' for h in headers)
    return f"<table>\n<caption>{e(caption)}</caption>\n<thead><tr>{cols}</tr></thead>\n<tbody>\n"


TABLE_END = "</tbody>\n</table>\n"


def row(cells: Iterable[str]) -> str:
    """A body row of already escaped cells."""
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>\n"


def facts_table(caption: str, rows: Iterable[tuple[str, str, bool]]) -> str:
    """A two-column table of labelled facts; `True` marks values shown in monospace."""
    body = "".join(
        f'<tr><th scope="row">{e(label)}</th><td>{mono(value) if is_mono else e(value)}</td></tr>\n'
        for label, value, is_mono in rows
    )
    return f"<table>\n<caption>{e(caption)}</caption>\n<tbody>\n{body}{TABLE_END}"
