"""Every app of the mesh, built by its own factory, answers the portal page's browser: the
runtime's CORS wraps all its routes, and the assessment's /ui/ kit files too (a module script
is fetched in CORS mode). Apps run in process; no request reaches a database or broker."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from academy.local.portal import PortalSettings
from academy.local.portal import create as create_portal
from assessment.app import create as create_assessment
from assessment.settings import AssessmentSettings
from audit_export.app import create as create_audit_export
from audit_export.settings import AuditExportSettings
from catalogue.app import create as create_catalogue
from catalogue.settings import CatalogueSettings
from release_bridge.app import create as create_release_bridge
from release_bridge.settings import ReleaseBridgeSettings

PORTAL = "http://127.0.0.1:8105"
ELSEWHERE = "http://127.0.0.1:9999"
CORS: dict[str, Any] = {"environment": "test", "cors_origins": [PORTAL]}

APPS: dict[str, Callable[[], tuple[FastAPI, Any]]] = {
    "catalogue": lambda: create_catalogue(CatalogueSettings(**CORS)),
    "assessment": lambda: create_assessment(AssessmentSettings(**CORS)),
    "release-bridge": lambda: create_release_bridge(ReleaseBridgeSettings(**CORS)),
    "audit-export": lambda: create_audit_export(AuditExportSettings(**CORS)),
    "portal": lambda: create_portal(PortalSettings(**CORS)),
}


async def _call(app: FastAPI, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as client:
        return await client.request(method, path, headers=headers)


def _first_authenticated_get(app: FastAPI) -> str:
    """A `GET /v1/…` route (it needs a bearer token), path parameters filled in."""
    path = next(
        path
        for path, operations in app.openapi()["paths"].items()
        if "get" in operations and path.startswith("/v1/")
    )
    return re.sub(r"\{[^}]+\}", "demo-operator", path)


@pytest.mark.parametrize("name", APPS)
async def test_a_preflight_from_the_portal_passes_every_app_and_others_get_nothing(
    name: str,
) -> None:
    app, runtime = APPS[name]()
    path = "/healthz" if name == "portal" else _first_authenticated_get(app)
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }

    allowed = await _call(app, "OPTIONS", path, {"Origin": PORTAL, **preflight})
    refused = await _call(app, "OPTIONS", path, {"Origin": ELSEWHERE, **preflight})
    unauthenticated = await _call(app, "GET", path, {"Origin": PORTAL})
    await runtime.engine.dispose()

    assert allowed.status_code == 200, allowed.text
    assert allowed.headers["access-control-allow-origin"] == PORTAL
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in refused.headers
    if name != "portal":
        assert unauthenticated.status_code == 401, path
    assert unauthenticated.headers["access-control-allow-origin"] == PORTAL, (
        "the refusal must be readable by the page, to show it in words"
    )


async def test_the_ui_kit_module_is_served_to_the_portal_cross_origin(tmp_path: Path) -> None:
    (tmp_path / "academy-ui.js").write_text("export const VERSION = 'test';\n")
    (tmp_path / "academy-ui.css").write_text(":root {}\n")
    app, runtime = create_assessment(AssessmentSettings(**CORS, ui_dist_dir=str(tmp_path)))

    module = await _call(app, "GET", "/ui/academy-ui.js", {"Origin": PORTAL})
    elsewhere = await _call(app, "GET", "/ui/academy-ui.js", {"Origin": ELSEWHERE})
    await runtime.engine.dispose()

    assert module.status_code == 200
    assert module.headers["access-control-allow-origin"] == PORTAL
    assert "javascript" in module.headers["content-type"]
    assert "access-control-allow-origin" not in elsewhere.headers


async def test_without_origins_a_service_sends_no_cors_headers() -> None:
    app, runtime = create_assessment(AssessmentSettings(environment="test"))
    response = await _call(app, "GET", "/v1/me/tracks", {"Origin": PORTAL})
    await runtime.engine.dispose()
    assert response.status_code == 401
    assert "access-control-allow-origin" not in response.headers
