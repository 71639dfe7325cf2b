"""Release-bridge service factory: everything built from Settings, nothing at import."""

from pathlib import Path

from fastapi import FastAPI

from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from contracts import topics
from release_bridge.adapters.orm import SCHEMA, metadata
from release_bridge.service import operators
from release_bridge.settings import ReleaseBridgeSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def create(settings: ReleaseBridgeSettings) -> tuple[FastAPI, ServiceRuntime]:
    runtime = ServiceRuntime(settings, schema=SCHEMA, metadata=metadata, produces=[topics.RELEASE])
    runtime.subscribe(topics.ASSESSMENT, operators.on_assessment_event, name="assessment")
    app = build_app(
        runtime,
        title="Licensing Academy: release bridge",
        description="Turns met release policies into signed portal webhooks.",
    )
    return app, runtime
