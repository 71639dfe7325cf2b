"""Certificates as pages for people: the public verification page and the printable copy.

Each page is one self-contained document (inline CSS, no scripts, no external assets) built
from one layout. Values reach the markup only through `_text`/`_when`, which escape them;
`Html` marks markup that is already safe, so mypy catches an unescaped value.
"""

import html
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import NewType

from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from assessment.domain.certificates import CertificateStatus, PublicCertificateView
from assessment.service.certificates import TrackLabels
from contracts.base import UtcDatetime, format_time

Html = NewType("Html", str)

#: Nothing but inline styles may load or run: the pages need no script, font or image.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
}

#: status -> (word on the page, the sentence that explains it)
STATUS_WORDS: dict[CertificateStatus, tuple[str, str]] = {
    "valid": ("Valid", "This certificate is valid."),
    "expired": ("Expired", "This certificate has expired; it no longer certifies its holder."),
    "revoked": ("Revoked", "This certificate was revoked; it no longer certifies its holder."),
    "superseded": (
        "Replaced by a renewal",
        "The holder renewed this certificate; the renewal has its own verification code.",
    ),
    "not_yet_valid": ("Not yet valid", "This certificate is not valid yet."),
}

#: error code -> page heading; the text below it is the JSON `detail`, word for word.
ERROR_TITLES = {
    "invalid_verification_code": "This is not a verification code",
    "certificate_not_found": "No certificate found",
}

BASE_CSS = """
@page { size: A4; margin: 15mm; }
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1b1b1b; line-height: 1.5;
  font-family: system-ui, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
main { max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.75rem; margin: 0.25rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
.brand { margin: 0; color: #3d3d3d; font-size: 0.85rem; letter-spacing: 0.08em;
  text-transform: uppercase; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.4rem 1.5rem; margin: 0; }
dt { font-weight: 600; color: #3d3d3d; }
dd { margin: 0; overflow-wrap: anywhere; }
.status { margin: 1rem 0; padding: 0.75rem 1rem; border-left: 0.4rem solid; }
.status-valid { background: #e8f5e9; color: #14532d; border-color: #1b7f3b; }
.status-invalid { background: #fdecea; color: #7f1d1d; border-color: #b42318; }
.code { font-family: "DejaVu Sans Mono", Consolas, monospace; letter-spacing: 0.08em; }
.note { color: #3d3d3d; font-size: 0.9rem; }
a { color: #0b4f9c; }
@media print {
  main { max-width: none; margin: 0; padding: 0; }
  .screen-only { display: none; }
  a { color: inherit; text-decoration: none; }
  .status { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

CERTIFICATE_CSS = """
.certificate { border: 3px double #1b1b1b; padding: 1.5rem 2.5rem; text-align: center;
  break-inside: avoid; }
.certificate dl { max-width: 32rem; margin: 0 auto; text-align: left; }
.lead { margin: 0.5rem 0 0; }
.holder { margin: 0.25rem 0; font-size: 2rem; font-weight: 700; overflow-wrap: anywhere; }
.track { margin: 0.25rem 0 1rem; font-size: 1.35rem; font-weight: 600; }
.verify { margin-top: 1.5rem; padding-top: 0.75rem; border-top: 1px solid #6b6b6b; }
.verify .code { font-size: 1.5rem; }
"""


class PrintableCertificate(BaseModel):
    """What a printed certificate shows; the page and its JSON carry the same facts."""

    certificate_id: str
    holder_name: str = Field(examples=["Grace Hopper"])
    track_key: str = Field(examples=["IOM.compliance_officer"])
    track_title: str = Field(examples=["Isle of Man: compliance officer"])
    jurisdiction: str = Field(examples=["IOM"])
    jurisdiction_name: str = Field(
        examples=["Isle of Man"], description="the code when the catalogue gave no name"
    )
    regulator: str | None = Field(
        default=None, examples=["Isle of Man Gambling Supervision Commission (GSC)"]
    )
    role: str = Field(examples=["compliance_officer"])
    status: CertificateStatus
    issued_at: UtcDatetime
    expires_at: UtcDatetime
    checked_at: UtcDatetime = Field(description="the status is as of this instant")
    verification_code: str = Field(examples=["7K3M-Q9XD-2HPV"])
    verification_url: str = Field(
        examples=["https://academy.example/v1/certificates/verify/7K3M-Q9XD-2HPV"],
        description="public page anyone can open to check the certificate",
    )


def prefers_html(accept: str | None) -> bool:
    """HTML only when the client ranks text/html above JSON (a browser does); JSON otherwise.

    No header, `*/*` alone, or a tie with an explicit `application/json` keep JSON. Parsed by
    hand: a dozen lines, and the service takes no dependency for them.
    """
    ranges = _accept_ranges(accept or "")
    html_q = max(ranges.get("text/html", -1.0), ranges.get("application/xhtml+xml", -1.0))
    if html_q < 0:
        html_q = ranges.get("text/*", 0.0)
    json_explicit = "application/json" in ranges
    json_q = ranges.get("application/json", ranges.get("application/*", ranges.get("*/*", 0.0)))
    return html_q > json_q or (html_q > 0 and html_q == json_q and not json_explicit)


def _accept_ranges(header: str) -> dict[str, float]:
    """media range -> its quality (0..1; a malformed q counts as 0)."""
    ranges: dict[str, float] = {}
    for part in header.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        quality = min(max(quality, 0.0), 1.0) if math.isfinite(quality) else 0.0
        ranges[media.lower()] = max(ranges.get(media.lower(), 0.0), quality)
    return ranges


def page_response(
    page: str, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """A page with the headers every certificate page carries (varies by Accept, no scripts)."""
    return HTMLResponse(
        page,
        status_code=status_code,
        headers={"Vary": "Accept", **SECURITY_HEADERS, **(headers or {})},
    )


def verification_page(view: PublicCertificateView, labels: TrackLabels) -> str:
    """What anyone holding the code sees: validity, the holder's name and the certificate."""
    body = [
        _masthead("Certificate verification"),
        _status(view.status),
        _facts(
            [
                ("Holder", _text(view.holder_name)),
                ("Track", _text(labels.track_title)),
                *_jurisdiction_rows(view.jurisdiction, labels),
                ("Role", _text(_role(view.role))),
                ("Issued", _when(view.issued_at)),
                ("Valid until", _when(view.expires_at)),
                ("Status", _text(STATUS_WORDS[view.status][0])),
                ("Verification code", _code(view.verification_code)),
            ]
        ),
        Html(
            f'<p class="note">Checked {_when(view.checked_at)}. This page shows the holder\'s '
            "name and nothing else personal.</p>"
        ),
    ]
    word = STATUS_WORDS[view.status][0]
    return _layout(title=f"Certificate {view.verification_code}: {word}", body=body)


def printable_page(certificate: PrintableCertificate) -> str:
    """The holder's own certificate on one A4 page, with the code and URL that verify it."""
    labels = TrackLabels(
        track_title=certificate.track_title,
        jurisdiction_name=certificate.jurisdiction_name,
        regulator=certificate.regulator,
    )
    url = _text(certificate.verification_url)
    article = [
        Html('<p class="brand">Licensing Academy</p>'),
        Html("<h1>Certificate of training</h1>"),
        Html('<p class="lead">This certifies that</p>'),
        Html(f'<p class="holder">{_text(certificate.holder_name)}</p>'),
        Html('<p class="lead">passed the assessment for</p>'),
        Html(f'<p class="track">{_text(certificate.track_title)}</p>'),
        *([] if certificate.status == "valid" else [_status(certificate.status)]),
        Html("<h2>Details</h2>"),
        _facts(
            [
                *_jurisdiction_rows(certificate.jurisdiction, labels),
                ("Role", _text(_role(certificate.role))),
                ("Issued", _when(certificate.issued_at)),
                ("Valid until", _when(certificate.expires_at)),
                ("Status", _text(STATUS_WORDS[certificate.status][0])),
                ("Certificate ID", _code(certificate.certificate_id)),
            ]
        ),
        Html(
            '<section class="verify"><h2>Verify this certificate</h2>'
            f"<p>Verification code {_code(certificate.verification_code)}</p>"
            f'<p>at <a href="{url}">{url}</a></p></section>'
        ),
    ]
    hint = Html(
        '<p class="note screen-only">Print this page or save it as PDF from your browser; '
        "it fits one A4 page.</p>"
    )
    return _layout(
        title=f"Certificate: {certificate.holder_name}, {certificate.track_title}",
        body=[Html(f'<article class="certificate">{"".join(article)}</article>'), hint],
        css=CERTIFICATE_CSS,
    )


def error_page(*, code: str, detail: str) -> str:
    """A refusal in words: the heading names it, the text is the JSON `detail`."""
    title = ERROR_TITLES.get(code, "This request cannot be answered")
    body = [_masthead(title), Html(f"<p>{_text(detail)}</p>")]
    return _layout(title=title, body=body)


def _layout(*, title: str, body: Sequence[Html], css: str = "") -> str:
    """The one document every certificate page shares."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(title)}</title>\n<style>{BASE_CSS}{css}</style>\n</head>\n"
        f"<body>\n<main>\n{''.join(body)}\n</main>\n</body>\n</html>\n"
    )


def _masthead(title: str) -> Html:
    return Html(f'<header><p class="brand">Licensing Academy</p><h1>{_text(title)}</h1></header>')


def _status(status: CertificateStatus) -> Html:
    word, sentence = STATUS_WORDS[status]
    tone = "valid" if status == "valid" else "invalid"
    return Html(
        f'<p class="status status-{tone}"><strong>{_text(word)}.</strong> {_text(sentence)}</p>'
    )


def _facts(rows: Sequence[tuple[str, Html]]) -> Html:
    items = "".join(f"<dt>{_text(label)}</dt><dd>{value}</dd>" for label, value in rows)
    return Html(f"<dl>{items}</dl>")


def _jurisdiction_rows(code: str, labels: TrackLabels) -> list[tuple[str, Html]]:
    name = labels.jurisdiction_name
    shown = code if name == code else f"{name} ({code})"
    rows = [("Jurisdiction", _text(shown))]
    if labels.regulator:
        rows.append(("Regulator", _text(labels.regulator)))
    return rows


def _role(role: str) -> str:
    return role.replace("_", " ").capitalize()


def _code(value: str) -> Html:
    return Html(f'<span class="code">{_text(value)}</span>')


def _when(value: datetime) -> Html:
    """A date people read (UTC, to the minute) in a <time> element machines read."""
    utc = value.astimezone(UTC)
    shown = f"{utc.day} {utc:%B %Y}, {utc:%H:%M} UTC"
    return Html(f'<time datetime="{format_time(utc)}">{shown}</time>')


def _text(value: str) -> Html:
    return Html(html.escape(value, quote=True))
