"""A sample pack's summary.html in a real headless Chromium (Debian's): what an inspector sees on
screen and on paper, with nothing loaded from anywhere.

With ACADEMY_SUMMARY_SCREENSHOT=PATH the test also saves a full-page screenshot there (the one
in docs/ comes from this: `ACADEMY_SUMMARY_SCREENSHOT=docs/auditpack-summary.png`).
"""

import os
import re
import zipfile
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from academy_testkit.browser import offline_page
from auditpack.period import pack_filename
from auditpack.sample import DAYS, OPERATOR, write_sample
from auditpack.summary import SUMMARY_HTML

SCREENSHOT = os.environ.get("ACADEMY_SUMMARY_SCREENSHOT")


def _summary(tmp_path: Path) -> str:
    write_sample(tmp_path)
    with zipfile.ZipFile(tmp_path / pack_filename(OPERATOR, DAYS[1])) as pack:
        return pack.read(SUMMARY_HTML).decode()


async def _style(page: Page, selector: str, prop: str) -> str:
    value: str = await page.eval_on_selector(
        selector, "(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop
    )
    return value


@pytest.mark.integration
async def test_a_sample_packs_summary_shows_an_inspector_what_needs_attention(
    browser: Browser, tmp_path: Path
) -> None:
    html = _summary(tmp_path)
    async with offline_page(browser, "http://127.0.0.1") as (page, log):
        await page.set_viewport_size({"width": 1280, "height": 900})
        await page.set_content(html, wait_until="load")
        await expect(page).to_have_title("Audit pack: op-aurora-gaming, 24 November 2026")
        assert await page.locator("h2").all_inner_texts() == [
            "Needs attention",
            "Releases of licensing tooling",
            "Staff training and certificates",
            "About this pack",
        ]
        attention = page.locator("#attention")
        forced = attention.locator("ul").nth(0)
        await expect(forced).to_contain_text("support.jane@vendor.example")
        await expect(forced).to_contain_text("Regulator's on-site inspection needs the reporting")
        untrained = attention.locator("ul").nth(1)
        await expect(untrained).to_contain_text("No certificate was offered as evidence")
        certificates = attention.locator("ul").nth(2)
        await expect(certificates).to_contain_text("Siobhán O'Brien, MLRO")
        await expect(certificates).to_contain_text("Revoked on 24 Nov 2026, 17:30:00 UTC")
        await expect(certificates).to_contain_text("The waiver was granted in error")
        await expect(attention).to_contain_text("None recorded in this log.")
        regulators = page.locator("#training h3")
        await expect(regulators).to_have_text(
            [
                "Isle of Man Gambling Supervision Commission (GSC)",
                "Malta Gaming Authority (MGA)",
            ]
        )
        await expect(regulators.nth(1)).to_be_visible()
        tracks = page.locator("#training h4 + ul li")
        await expect(tracks).to_have_count(2)
        await expect(tracks.nth(1)).to_contain_text("Malta: compliance officer")
        assert re.fullmatch(
            r"version [0-9a-f]{12}", await tracks.nth(1).locator(".sub").inner_text()
        )
        await expect(page.locator("#releases")).to_contain_text("Forced by support.")
        await expect(page.locator("#releases")).to_contain_text(
            "Yes. An evidence certificate was passed before the release"
        )

        assert await _style(page, "#releases", "break-before") == "auto"
        assert await _style(page, "nav", "display") == "block"
        if SCREENSHOT:
            await page.screenshot(path=SCREENSHOT, full_page=True)
        await page.emulate_media(media="print")
        assert await _style(page, "#releases", "break-before") == "page"
        assert await _style(page, "#attention", "break-before") == "auto"
        assert await _style(page, "nav", "display") == "none"
        assert await _style(page, "thead", "display") == "table-header-group"
        pdf = await page.pdf(prefer_css_page_size=True)
    sizes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(sizes) >= 4  # one page at least per section
    assert {(round(float(w)), round(float(h))) for w, h in sizes} == {(595, 842)}  # A4, in pt
    assert log.blocked == []
    assert log.console_errors == []
    assert log.page_errors == []
