"""Catalogue service factory: everything built from Settings, nothing at import."""

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from catalogue.adapters.orm import SCHEMA, metadata
from catalogue.entrypoints import read_api
from catalogue.entrypoints.errors import install_error_handlers
from catalogue.service.catalogue_cache import CatalogueCache
from catalogue.settings import CatalogueSettings
from contracts import mesh

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

TAGS: list[dict[str, Any]] = [
    {
        "name": "catalogue",
        "description": "Published content: jurisdictions, resolved tracks, release policies and "
        "version history. Any authenticated caller may read it; exam questions and answers are "
        "never served here.",
    },
    {"name": "operations", "description": "Health, readiness and metrics."},
]


def build_runtime(settings: CatalogueSettings) -> ServiceRuntime:
    """The runtime both the service and the `publish` command use (same outbox, same source)."""
    return ServiceRuntime(
        settings, schema=SCHEMA, metadata=metadata, produces=mesh.CATALOGUE.produces
    )


def create(settings: CatalogueSettings) -> tuple[FastAPI, ServiceRuntime]:
    runtime = build_runtime(settings)
    app = build_app(
        runtime,
        title="Licensing Academy: catalogue",
        description="Shared core curriculum with per-jurisdiction overrides, versioned. Every "
        "`/v1` route needs a bearer JWT; responses carry a strong `ETag` (send it back in "
        "`If-None-Match` for a 304) and `Cache-Control`; errors are JSON with a stable `error` "
        "code and a `detail` naming what exists instead.",
        routers=[read_api.router],
        openapi_tags=TAGS,
    )
    app.state.catalogue_cache = CatalogueCache()
    install_error_handlers(app)
    return app, runtime
