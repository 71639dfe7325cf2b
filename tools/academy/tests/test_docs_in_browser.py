"""/docs of every app the mesh runs renders in a real Chromium that can reach nothing but the app.

Each app runs in uvicorn on 127.0.0.1 (broker and database never touched: /docs and
/openapi.json need neither); any request the page makes elsewhere is aborted and counted.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, expect

from academy.local.portal import PortalSettings
from academy.local.portal import create as create_portal
from academy_testkit.browser import launched_chromium, offline_page
from academy_testkit.issuer import DevIssuer
from academy_testkit.issuer import create_app as create_issuer_app
from academy_testkit.server import ServerThread
from assessment.app import create as create_assessment
from assessment.settings import AssessmentSettings
from audit_export.app import create as create_audit_export
from audit_export.settings import AuditExportSettings
from catalogue.app import create as create_catalogue
from catalogue.settings import CatalogueSettings
from release_bridge.app import create as create_release_bridge
from release_bridge.settings import ReleaseBridgeSettings

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

APPS: dict[str, Callable[[], tuple[FastAPI, Any]]] = {
    "catalogue": lambda: create_catalogue(CatalogueSettings(environment="test")),
    "assessment": lambda: create_assessment(AssessmentSettings(environment="test")),
    "release-bridge": lambda: create_release_bridge(ReleaseBridgeSettings(environment="test")),
    "audit-export": lambda: create_audit_export(AuditExportSettings(environment="test")),
    "portal": lambda: create_portal(PortalSettings(environment="test")),
    "issuer": lambda: (create_issuer_app(DevIssuer("http://127.0.0.1")), None),
}


def _summaries(app: FastAPI) -> list[str]:
    """The summary of every operation in the app's OpenAPI document."""
    return sorted(
        operation["summary"]
        for path in app.openapi()["paths"].values()
        for method, operation in path.items()
        if method in HTTP_METHODS
    )


@pytest.mark.integration
@pytest.mark.parametrize("name", APPS)
async def test_docs_render_every_operation_with_no_request_leaving_the_app(
    browser: Browser, name: str
) -> None:
    app, runtime = APPS[name]()
    summaries = _summaries(app)
    assert summaries, f"{name} documents no operation"
    with ServerThread(app, runtime, name=f"docs-{name}") as base_url:
        async with offline_page(browser, base_url) as (page, log):
            await page.goto(f"{base_url}/docs")
            rendered = page.locator(".opblock .opblock-summary-description")
            await expect(rendered).to_have_count(len(summaries), timeout=20_000)
            await expect(rendered.get_by_text(summaries[0], exact=True).first).to_be_visible()
            assert sorted(await rendered.all_inner_texts()) == summaries
            await page.wait_for_load_state("networkidle")
    assert log.blocked == [], f"/docs of {name} reached outside the app"
    assert log.console_errors == []
    assert log.page_errors == []


async def test_a_missing_chromium_fails_the_browser_tests_instead_of_skipping_them() -> None:
    with pytest.raises(RuntimeError, match="make system-deps"):
        async with launched_chromium(Path("/nonexistent/chromium")):
            pass
