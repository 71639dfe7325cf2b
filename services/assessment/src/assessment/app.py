"""Assessment service factory: everything built from Settings, nothing at import."""

from pathlib import Path

from fastapi import FastAPI

from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from assessment.adapters.orm import SCHEMA, metadata
from assessment.entrypoints import admin
from assessment.settings import AssessmentSettings
from contracts import topics

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create(settings: AssessmentSettings) -> tuple[FastAPI, ServiceRuntime]:
    runtime = ServiceRuntime(
        settings, schema=SCHEMA, metadata=metadata, produces=[topics.ASSESSMENT]
    )
    app = build_app(
        runtime,
        title="Licensing Academy: assessment",
        description="Training, exams and certificates for operator staff (bearer JWT).",
        routers=[admin.router],
    )
    return app, runtime
