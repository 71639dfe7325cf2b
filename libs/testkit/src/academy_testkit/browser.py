"""Headless Debian Chromium driven by Playwright, and pages that reach only the app under test.

Playwright never downloads a browser here (`playwright install` is never run): it launches the
Debian package's /usr/bin/chromium, which `make system-deps` installs.
"""

import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, ConsoleMessage, Error, Page, Route, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
#: The portal UI kit's folder (its build in dist/, axe-core in node_modules/).
UI_DIR = Path(__file__).resolve().parents[4] / "ui"
AXE = UI_DIR / "node_modules" / "axe-core" / "axe.min.js"
# Without the background-networking flags Chromium phones home, which a closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@asynccontextmanager
async def launched_chromium(executable: Path = CHROMIUM) -> AsyncIterator[Browser]:
    """Debian's Chromium, headless; fails (never skips) when it is not installed."""
    if shutil.which(executable) is None:
        raise RuntimeError(
            f"{executable} is missing or not executable: browser tests need Debian's chromium "
            "(`make system-deps` installs it; `apt-get install chromium`)"
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(executable), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class PageLog:
    """What a page tried beyond its app, and what went wrong in its JavaScript."""

    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error: Error) -> None:
        self.page_errors.append(str(error))


@asynccontextmanager
async def offline_page(
    browser: Browser, app_url: str, *more_app_urls: str
) -> AsyncIterator[tuple[Page, PageLog]]:
    """A fresh page that reaches only the apps' origins (a portal page and the academy services
    it embeds); other requests are aborted and logged."""
    allowed = {(u.scheme, u.netloc) for u in map(urlsplit, (app_url, *more_app_urls))}
    log = PageLog()

    async def guard(route: Route) -> None:
        url = urlsplit(route.request.url)
        if (url.scheme, url.netloc) in allowed:
            await route.continue_()
        else:
            log.blocked.append(route.request.url)
            await route.abort("blockedbyclient")

    context = await browser.new_context(service_workers="block")
    # Chromium treats a page served through `open_host` as public, and refuses its calls to
    # another loopback port (a portal page calling the academy services) without this.
    for scheme, netloc in allowed:
        await context.grant_permissions(["local-network-access"], origin=f"{scheme}://{netloc}")
    try:
        await context.route("**/*", guard)
        page = await context.new_page()
        page.on("console", log.on_console)
        page.on("pageerror", log.on_page_error)
        yield page, log
    finally:
        await context.close()


def host_page(body: str, token: str, *, kit_base: str = "", title: str = "Portal") -> str:
    """A minimal portal page: the kit's CSS and module from `kit_base` (empty: the page's own
    origin), `body` (the elements), and every academy element handed a token callback."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{kit_base}/ui/academy-ui.css">
<script type="module" src="{kit_base}/ui/academy-ui.js"></script></head>
<body><main>{body}</main>
<script type="module">
const token = {json.dumps(token)};
for (const element of document.querySelectorAll("main *")) {{
  if (element.localName.startsWith("academy-")) element.tokenProvider = async () => token;
}}
</script></body></html>"""


async def open_host(page: Page, url: str, html: str) -> None:
    """Open `url` answered with `html` (the host page), as if the portal served it."""

    async def fulfil(route: Route) -> None:
        await route.fulfill(body=html, content_type="text/html; charset=utf-8")

    await page.unroute(url)
    await page.route(url, fulfil)
    opened = await page.goto(url)
    assert opened is not None, url
    assert opened.status == 200, url


async def serious_axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG violations of impact serious or critical on the page as it is now."""
    if not AXE.is_file():
        raise RuntimeError(f"{AXE} is missing: build the kit first (`make ui`)")
    await page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = await page.evaluate(
        """async () => (await axe.run()).violations.map(
            v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target)}))"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]
