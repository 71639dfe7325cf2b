"""Certificate pages: who gets HTML, what each page is made of, where the URL comes from."""

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from assessment.app import create
from assessment.domain.certificates import PublicCertificateView
from assessment.entrypoints.certificate_pages import (
    PrintableCertificate,
    error_page,
    prefers_html,
    printable_page,
    verification_page,
)
from assessment.service.certificates import TrackLabels
from assessment.settings import AssessmentSettings

CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ISSUED = datetime(2031, 8, 31, 14, 5, tzinfo=UTC)
EXPIRES = datetime(2033, 2, 28, 14, 5, tzinfo=UTC)
HOSTILE = '<script>alert(1)</script> O\'Brien & "Sons"'


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (None, False),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("application/*", False),
        ("text/html, application/json", False),
        ("text/html;q=0.5, application/json", False),
        ("text/html;q=0, */*", False),
        ("text/html;q=nan", False),
        ("text/html;q=oops, */*", False),
        (CHROME, True),
        (FIREFOX, True),
        ("text/html", True),
        ("TEXT/HTML", True),
        ("text/html, */*", True),
        ("application/json;q=0.5, text/html", True),
        ("text/*", True),
    ],
)
def test_html_only_when_the_client_ranks_it_above_json(accept: str | None, html: bool) -> None:
    assert prefers_html(accept) is html


def _view(**changes: Any) -> PublicCertificateView:
    values: dict[str, Any] = {
        "verification_code": "7K3M-Q9XD-2HPV",
        "valid": True,
        "status": "valid",
        "holder_name": "Grace Hopper",
        "jurisdiction": "IOM",
        "role": "compliance_officer",
        "issued_at": ISSUED,
        "expires_at": EXPIRES,
        "checked_at": ISSUED,
    }
    return PublicCertificateView(**(values | changes))


def _printable(**changes: Any) -> PrintableCertificate:
    values: dict[str, Any] = {
        "certificate_id": "0b6c3a52-8d3e-4a8f-bf1e-6f9d1c2e7a40",
        "holder_name": "Grace Hopper",
        "track_key": "IOM.compliance_officer",
        "track_title": "Isle of Man: compliance officer",
        "jurisdiction": "IOM",
        "jurisdiction_name": "Isle of Man",
        "regulator": "Isle of Man Gambling Supervision Commission (GSC)",
        "role": "compliance_officer",
        "status": "valid",
        "issued_at": ISSUED,
        "expires_at": EXPIRES,
        "checked_at": ISSUED,
        "verification_code": "7K3M-Q9XD-2HPV",
        "verification_url": "https://academy.example/v1/certificates/verify/7K3M-Q9XD-2HPV",
    }
    return PrintableCertificate(**(values | changes))


LABELS = TrackLabels(
    track_title="Isle of Man: compliance officer",
    jurisdiction_name="Isle of Man",
    regulator="Isle of Man Gambling Supervision Commission (GSC)",
)
PAGES = {
    "verification": verification_page(_view(), LABELS),
    "printable": printable_page(_printable()),
    "error": error_page(code="certificate_not_found", detail="No certificate matches X."),
}


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_one_accessible_self_contained_document(name: str) -> None:
    page = PAGES[name]
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    for part in ("<title>", "<h1>", '<meta charset="utf-8">'):
        assert part in page, part
    assert "@page { size: A4; margin: 15mm; }" in page
    for external in ("<script", "<link", "<img", "src=", "@import", "url(", "<form"):
        assert external not in page, external


def test_dates_are_written_for_people_and_machines() -> None:
    page = PAGES["verification"]
    assert '<time datetime="2031-08-31T14:05:00Z">31 August 2031, 14:05 UTC</time>' in page
    assert '<dt>Valid until</dt><dd><time datetime="2033-02-28T14:05:00Z">28 February 2033' in page


def test_every_value_is_escaped() -> None:
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Brien &amp; &quot;Sons&quot;"
    pages = [
        verification_page(
            _view(holder_name=HOSTILE), TrackLabels(HOSTILE, HOSTILE, regulator=HOSTILE)
        ),
        printable_page(
            _printable(
                holder_name=HOSTILE,
                track_title=HOSTILE,
                jurisdiction_name=HOSTILE,
                regulator=HOSTILE,
                verification_url=f'https://x.example/"><script>{HOSTILE}',
            )
        ),
        error_page(code="invalid_verification_code", detail=HOSTILE),
    ]
    for page in pages:
        assert "<script" not in page
        assert escaped in page


def test_an_invalid_certificate_says_so_prominently_even_when_printed() -> None:
    page = printable_page(_printable(status="revoked"))
    assert '<p class="status status-invalid"><strong>Revoked.</strong>' in page
    assert "status-" not in printable_page(_printable()).split("<body>")[1]


def test_a_jurisdiction_without_a_name_or_regulator_shows_its_code() -> None:
    page = verification_page(_view(), TrackLabels("IOM.compliance_officer", "IOM", None))
    assert "<dt>Jurisdiction</dt><dd>IOM</dd>" in page
    assert "Regulator" not in page


def test_the_public_base_url_is_an_http_url_kept_without_a_trailing_slash() -> None:
    assert AssessmentSettings.model_fields["public_base_url"].default == "http://127.0.0.1:8102"
    chosen = AssessmentSettings(
        environment="test", public_base_url="https://academy.example/assessment/"
    )
    assert chosen.public_base_url == "https://academy.example/assessment"
    for wrong in ("academy.example", "ftp://academy.example", "https://", "https://a.b/?x=1"):
        with pytest.raises(ValidationError, match="public_base_url"):
            AssessmentSettings(public_base_url=wrong)


def test_openapi_documents_json_and_html_for_both_certificate_pages() -> None:
    app, _ = create(AssessmentSettings(environment="test"))
    paths = app.openapi()["paths"]
    verify = paths["/v1/certificates/verify/{code}"]["get"]["responses"]
    printable = paths["/v1/me/certificates/{certificate_id}/printable"]["get"]["responses"]
    for responses, refused_as_page in ((verify, ("404", "422")), (printable, ("404",))):
        assert set(responses["200"]["content"]) == {"application/json", "text/html"}
        for status in refused_as_page:
            assert set(responses[status]["content"]) == {"application/json", "text/html"}
    assert set(printable["401"]["content"]) == {"application/json"}
