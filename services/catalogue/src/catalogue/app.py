"""Catalogue service factory: everything built from Settings, nothing at import."""

from pathlib import Path

from fastapi import FastAPI

from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from catalogue.adapters.orm import SCHEMA, metadata
from catalogue.settings import CatalogueSettings
from contracts import topics

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create(settings: CatalogueSettings) -> tuple[FastAPI, ServiceRuntime]:
    runtime = ServiceRuntime(
        settings, schema=SCHEMA, metadata=metadata, produces=[topics.CATALOGUE]
    )
    app = build_app(
        runtime,
        title="Licensing Academy: catalogue",
        description="Shared core curriculum with per-jurisdiction overrides, versioned.",
    )
    return app, runtime
