"""Certificate pages in a real Chromium: what a person sees, nothing fetched elsewhere, one A4 page.

The app runs in uvicorn on 127.0.0.1 (its own thread and loop) on the test database; the
certificate is earned through the in-process harness first.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from assessment_harness import ISSUER, Harness, wire_issuer
from assessment_testkit import FakeClock, answers, realistic_track, unique_jurisdiction
from playwright.async_api import Browser, expect

from academy_testkit.browser import offline_page
from academy_testkit.issuer import DevIssuer
from academy_testkit.server import ServerThread
from assessment.app import create
from assessment.settings import AssessmentSettings

pytestmark = pytest.mark.integration

PUBLIC_BASE_URL = "https://verify.academy.test"
A4_POINTS = (595.0, 842.0)  # 210 x 297 mm


async def _certified_holder(harness: Harness) -> tuple[dict[str, str], Any]:
    track = realistic_track(jurisdiction=unique_jurisdiction()).model_copy(
        update={"jurisdiction_name": "Isle of Testland", "regulator": "Testland Gaming Board"}
    )
    await harness.publish(track)
    operator = f"op-{track.jurisdiction.lower()}"
    await harness.go_live(operator, track.jurisdiction)
    headers = harness.auth(operator, sub="grace", name="Grace Hopper")
    for module in track.modules:
        done = await harness.client.put(
            f"/v1/me/tracks/{track.track_key}/modules/{module.id}/completion", headers=headers
        )
        assert done.status_code == 200, done.text
    attempt = (await harness.start(headers, track.track_key)).json()
    result = await harness.submit(headers, attempt["attempt_id"], answers(track, attempt["paper"]))
    assert result.json()["result"] == "pass", result.text
    return headers, {**result.json()["certificate"], "track_title": track.title}


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page of a PDF Chromium wrote (pages stay readable)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(width), float(height)) for width, height in boxes]


async def test_verification_and_printable_pages_render_offline_and_print_on_one_a4_page(
    browser: Browser,
    harness: Harness,
    issuer: DevIssuer,
    make_settings: Callable[..., AssessmentSettings],
) -> None:
    headers, certificate = await _certified_holder(harness)
    code = certificate["verification_code"]
    settings = make_settings(
        AssessmentSettings, oidc_issuer=ISSUER, public_base_url=PUBLIC_BASE_URL
    )
    app, runtime = create(settings, clock=FakeClock())
    wire_issuer(app, settings, issuer)
    with ServerThread(app, runtime, name="certificate-pages") as base_url:
        async with offline_page(browser, base_url) as (page, log):
            opened = await page.goto(f"{base_url}/v1/certificates/verify/{code}")
            assert opened is not None
            assert opened.status == 200
            assert await page.get_attribute("html", "lang") == "en"
            await expect(page).to_have_title(f"Certificate {code}: Valid")
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Certificate verification"
            )
            shown = await page.locator("main").inner_text()
            for text in (
                "Valid. This certificate is valid.",
                "Grace Hopper",
                certificate["track_title"],
                "Isle of Testland (",
                "Testland Gaming Board",
                "24 November 2031, 09:00 UTC",
                "24 May 2033, 09:00 UTC",
            ):
                assert text in shown, text

            await page.set_extra_http_headers(headers)
            printable = f"{base_url}/v1/me/certificates/{certificate['certificate_id']}/printable"
            opened = await page.goto(printable)
            assert opened is not None
            assert opened.status == 200
            await expect(page.get_by_role("heading", level=1)).to_have_text(
                "Certificate of training"
            )
            link = page.get_by_role("link")
            await expect(link).to_have_text(f"{PUBLIC_BASE_URL}/v1/certificates/verify/{code}")
            shown = await page.locator("main").inner_text()
            for text in ("Grace Hopper", certificate["track_title"], code, "Valid"):
                assert text in shown, text
            await page.emulate_media(media="print")
            await expect(page.get_by_text("Print this page")).to_be_hidden()
            pdf = await page.pdf(format="A4", print_background=True)
            await page.wait_for_load_state("networkidle")
    assert log.blocked == [], "a certificate page reached beyond the app"
    assert log.console_errors == []
    assert log.page_errors == []
    assert pdf.startswith(b"%PDF-")
    pages = _pages(pdf)
    assert len(pages) == 1, f"the printable certificate takes {len(pages)} pages"
    assert all(abs(a - b) < 2 for a, b in zip(pages[0], A4_POINTS, strict=True)), pages
