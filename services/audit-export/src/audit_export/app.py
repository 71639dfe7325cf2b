"""Audit-export service factory: everything built from Settings, nothing at import."""

from pathlib import Path

from fastapi import FastAPI

from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from audit_export.adapters.orm import SCHEMA, metadata
from audit_export.entrypoints import log_api
from audit_export.service import ingest
from audit_export.settings import AuditExportSettings
from contracts import topics

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create(settings: AuditExportSettings) -> tuple[FastAPI, ServiceRuntime]:
    runtime = ServiceRuntime(settings, schema=SCHEMA, metadata=metadata, produces=[topics.AUDIT])
    runtime.subscribe(topics.ALL, ingest.on_event, name="audit-ingest")
    app = build_app(
        runtime,
        title="Licensing Academy: audit export",
        description="Tamper-evident audit log and nightly per-operator audit packs.",
        routers=[log_api.router],
    )
    return app, runtime
