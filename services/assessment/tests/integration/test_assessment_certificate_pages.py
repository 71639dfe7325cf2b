"""Certificate pages: verification answers JSON or HTML by Accept; holders print their own."""

import html
from datetime import datetime
from typing import Any

import httpx
import pytest
from assessment_harness import Harness
from assessment_testkit import answers, realistic_track, unique_jurisdiction, unique_operator

from contracts.catalogue import TrackPublished

pytestmark = pytest.mark.integration

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
SUPPORT = "academy-vendor"


def _named(track: TrackPublished) -> TrackPublished:
    """The track as the catalogue now publishes it: with a title, jurisdiction and regulator."""
    return track.model_copy(
        update={
            "title": f"{track.jurisdiction} compliance officer certification",
            "jurisdiction_name": "Isle of Testland",
            "regulator": "Testland Gambling Supervision Commission (TGSC)",
        }
    )


async def _enrolled(
    harness: Harness, *, named: bool = True
) -> tuple[TrackPublished, str, dict[str, str]]:
    track = realistic_track(jurisdiction=unique_jurisdiction())
    unnamed = {"jurisdiction_name": None, "regulator": None}
    track = _named(track) if named else track.model_copy(update=unnamed)
    await harness.publish(track)
    operator = unique_operator()
    await harness.go_live(operator, track.jurisdiction)
    return track, operator, harness.auth(operator, sub="grace", name="Grace Hopper")


async def _certified(harness: Harness, track: TrackPublished, headers: dict[str, str]) -> Any:
    """Train (every module), pass the exam, and return the issued certificate."""
    for module in track.modules:
        done = await harness.client.put(
            f"/v1/me/tracks/{track.track_key}/modules/{module.id}/completion", headers=headers
        )
        assert done.status_code == 200, done.text
    attempt = (await harness.start(headers, track.track_key)).json()
    result = await harness.submit(headers, attempt["attempt_id"], answers(track, attempt["paper"]))
    assert result.json()["result"] == "pass", result.text
    return result.json()["certificate"]


async def _page(harness: Harness, url: str, headers: dict[str, str] | None = None) -> str:
    response = await harness.client.get(url, headers={**(headers or {}), "Accept": BROWSER})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return _visible(response)


def _visible(response: httpx.Response) -> str:
    """The page's text as a reader meets it (entities decoded, tags kept for structure)."""
    return html.unescape(response.text)


def _shown(timestamp: str) -> str:
    when = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return f"{when.day} {when:%B %Y}, {when:%H:%M} UTC"


async def test_verification_answers_json_to_api_clients_exactly_as_before(
    harness: Harness,
) -> None:
    track, _, headers = await _enrolled(harness)
    certificate = await _certified(harness, track, headers)
    url = f"/v1/certificates/verify/{certificate['verification_code']}"
    for accept in (None, "application/json", "*/*", "text/html, application/json"):
        response = await harness.client.get(url, headers={"Accept": accept} if accept else {})
        assert response.status_code == 200, (accept, response.text)
        assert response.headers["content-type"] == "application/json", accept
        assert response.headers["vary"] == "Accept"
        assert set(response.json()) == {
            "verification_code",
            "valid",
            "status",
            "holder_name",
            "jurisdiction",
            "role",
            "issued_at",
            "expires_at",
            "checked_at",
        }
        assert response.json()["holder_name"] == "Grace Hopper"


async def test_verification_page_shows_holder_track_jurisdiction_dates_and_validity(
    harness: Harness,
) -> None:
    track, operator, headers = await _enrolled(harness)
    certificate = await _certified(harness, track, headers)
    response = await harness.client.get(
        f"/v1/certificates/verify/{certificate['verification_code']}", headers={"Accept": BROWSER}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["vary"] == "Accept"
    assert "script-src" not in response.headers["content-security-policy"]
    page = _visible(response)
    assert '<html lang="en">' in page
    for shown in (
        "Grace Hopper",
        track.title,
        f"Isle of Testland ({track.jurisdiction})",
        "Testland Gambling Supervision Commission (TGSC)",
        "Compliance officer",
        _shown(certificate["passed_at"]),
        _shown(certificate["expires_at"]),
        certificate["verification_code"],
        "This certificate is valid.",
    ):
        assert shown in page, shown
    for personal in ("grace@", operator, certificate["certificate_id"], "<script"):
        assert personal not in page


async def test_verification_page_says_revoked_and_expired(harness: Harness) -> None:
    track, operator, headers = await _enrolled(harness)
    revoked = await _certified(harness, track, headers)
    lapsing = await _certified(
        harness, track, harness.auth(operator, sub="ada", name="Ada Lovelace")
    )
    revocation = await harness.client.post(
        f"/v1/support/operators/{operator}/certificates/{revoked['certificate_id']}/revocation",
        json={"reason": "exam taken by someone else"},
        headers=harness.auth(SUPPORT, roles=("academy_support",)),
    )
    assert revocation.status_code == 200, revocation.text
    page = await _page(harness, f"/v1/certificates/verify/{revoked['verification_code']}")
    assert "<strong>Revoked.</strong> This certificate was revoked" in page
    assert "exam taken by someone else" not in page
    harness.clock.advance(days=600)
    page = await _page(harness, f"/v1/certificates/verify/{lapsing['verification_code']}")
    assert "Ada Lovelace" in page
    assert "<strong>Expired.</strong> This certificate has expired" in page
    assert "<dt>Status</dt><dd>Expired</dd>" in page


async def test_a_track_published_without_names_shows_the_jurisdiction_code(
    harness: Harness,
) -> None:
    track, _, headers = await _enrolled(harness, named=False)
    certificate = await _certified(harness, track, headers)
    page = await _page(harness, f"/v1/certificates/verify/{certificate['verification_code']}")
    assert f"<dt>Jurisdiction</dt><dd>{track.jurisdiction}</dd>" in page
    assert f"<dt>Track</dt><dd>{track.title}</dd>" in page
    assert "<dt>Regulator</dt>" not in page


async def test_malformed_and_unknown_codes_get_pages_with_the_json_words(
    harness: Harness,
) -> None:
    for code, status, heading in (
        ("not-a-code", 422, "This is not a verification code"),
        ("X" * 70, 422, "This is not a verification code"),
        ("0000-0000-0000", 404, "No certificate found"),
    ):
        url = f"/v1/certificates/verify/{code}"
        as_json = await harness.client.get(url, headers={"Accept": "application/json"})
        as_page = await harness.client.get(url, headers={"Accept": BROWSER})
        assert (as_json.status_code, as_page.status_code) == (status, status), code
        assert as_page.headers["content-type"].startswith("text/html")
        assert f"<h1>{heading}</h1>" in as_page.text
        assert f"<p>{html.escape(as_json.json()['detail'])}</p>" in as_page.text


async def test_the_holder_gets_a_printable_a4_copy_with_its_verification_code_and_url(
    harness: Harness,
) -> None:
    track, _, headers = await _enrolled(harness)
    certificate = await _certified(harness, track, headers)
    url = f"/v1/me/certificates/{certificate['certificate_id']}/printable"
    verification_url = (
        f"http://127.0.0.1:8102/v1/certificates/verify/{certificate['verification_code']}"
    )
    response = await harness.client.get(url, headers={**headers, "Accept": BROWSER})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    page = _visible(response)
    for shown in (
        "<h1>Certificate of training</h1>",
        '<p class="holder">Grace Hopper</p>',
        f'<p class="track">{track.title}</p>',
        f"Isle of Testland ({track.jurisdiction})",
        "Testland Gambling Supervision Commission (TGSC)",
        "Compliance officer",
        _shown(certificate["passed_at"]),
        _shown(certificate["expires_at"]),
        "<dt>Status</dt><dd>Valid</dd>",
        certificate["certificate_id"],
        certificate["verification_code"],
        f'<a href="{verification_url}">{verification_url}</a>',
        "@page { size: A4;",
    ):
        assert shown in page, shown
    for external in ("<script", "<link", "src=", "@import", "url("):
        assert external not in page, external
    as_json = await harness.client.get(url, headers={**headers, "Accept": "application/json"})
    assert as_json.json() | {"checked_at": None} == {
        "certificate_id": certificate["certificate_id"],
        "holder_name": "Grace Hopper",
        "track_key": track.track_key,
        "track_title": track.title,
        "jurisdiction": track.jurisdiction,
        "jurisdiction_name": "Isle of Testland",
        "regulator": "Testland Gambling Supervision Commission (TGSC)",
        "role": "compliance_officer",
        "status": "valid",
        "issued_at": certificate["passed_at"],
        "expires_at": certificate["expires_at"],
        "checked_at": None,
        "verification_code": certificate["verification_code"],
        "verification_url": verification_url,
    }


async def test_a_printable_copy_of_someone_elses_certificate_is_not_found(
    harness: Harness,
) -> None:
    track, operator, headers = await _enrolled(harness)
    certificate = await _certified(harness, track, headers)
    url = f"/v1/me/certificates/{certificate['certificate_id']}/printable"
    colleague = harness.auth(operator, sub="ada", name="Ada Lovelace")
    stranger = harness.auth(unique_operator(), sub="grace", name="Grace Hopper")
    for who in (colleague, stranger):
        as_json = await harness.client.get(url, headers=who)
        assert as_json.status_code == 404, as_json.text
        assert as_json.json()["error"] == "certificate_not_found"
        as_page = await harness.client.get(url, headers={**who, "Accept": BROWSER})
        assert as_page.status_code == 404
        assert "<h1>No certificate found</h1>" in as_page.text
        assert "Grace Hopper" not in as_page.text
    anonymous = await harness.client.get(url, headers={"Accept": BROWSER})
    assert anonymous.status_code == 401


async def test_a_holder_name_with_markup_is_shown_as_text(harness: Harness) -> None:
    track, operator, _ = await _enrolled(harness)
    name = "<script>alert('x')</script> & \"Bobby\""
    headers = harness.auth(operator, sub="bobby", name=name)
    certificate = await _certified(harness, track, headers)
    pages = [
        await harness.client.get(
            f"/v1/certificates/verify/{certificate['verification_code']}",
            headers={"Accept": BROWSER},
        ),
        await harness.client.get(
            f"/v1/me/certificates/{certificate['certificate_id']}/printable",
            headers={**headers, "Accept": BROWSER},
        ),
    ]
    for page in pages:
        assert page.status_code == 200, page.text
        assert "<script" not in page.text
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Bobby&quot;" in (
            page.text
        )
