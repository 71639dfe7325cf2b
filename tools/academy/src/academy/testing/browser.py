"""Headless Debian Chromium driven by Playwright, and pages that reach only the app under test.

Playwright never downloads a browser here (`playwright install` is never run): it launches the
Debian package's /usr/bin/chromium, which `make system-deps` installs.
"""

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Browser, ConsoleMessage, Error, Page, Route, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
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
async def offline_page(browser: Browser, app_url: str) -> AsyncIterator[tuple[Page, PageLog]]:
    """A fresh page that reaches only `app_url`'s origin; other requests are aborted and logged."""
    allowed = urlsplit(app_url)
    log = PageLog()

    async def guard(route: Route) -> None:
        url = urlsplit(route.request.url)
        if (url.scheme, url.netloc) == (allowed.scheme, allowed.netloc):
            await route.continue_()
        else:
            log.blocked.append(route.request.url)
            await route.abort("blockedbyclient")

    context = await browser.new_context(service_workers="block")
    try:
        await context.route("**/*", guard)
        page = await context.new_page()
        page.on("console", log.on_console)
        page.on("pageerror", log.on_page_error)
        yield page, log
    finally:
        await context.close()
