"""Assessment service factory: everything built from Settings, nothing at import."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.responses import JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from assessment.adapters.orm import SCHEMA, metadata
from assessment.adapters.unit_of_work import assessment_units
from assessment.domain.attempts import AttemptRules
from assessment.entrypoints import (
    admin,
    certificates,
    exams,
    operator_views,
    support,
    training,
)
from assessment.entrypoints.background import catalogue_routes, scheduler_loop
from assessment.entrypoints.deps import Wiring
from assessment.entrypoints.errors import install_error_handlers
from assessment.service.ports import IdSource, SystemIds
from assessment.settings import AssessmentSettings
from contracts import mesh
from contracts.clock import Clock

UI_PATH = "/ui"
UI_ENTRY = "academy-ui.js"


class UiKitFiles(StaticFiles):
    """The built UI kit; a clear 404 (not a crash) while `ui/dist` has not been built."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.kit_dir = directory

    async def check_config(self) -> None:
        if self.kit_dir.is_dir():
            await super().check_config()

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not (self.kit_dir / UI_ENTRY).is_file():
            return JSONResponse(
                {
                    "error": "ui_not_built",
                    "detail": "The portal UI kit is not built on this server: run `make ui` "
                    "(cd ui && npm ci && npm run build) or point ASSESSMENT_UI_DIST_DIR at "
                    "the built files.",
                },
                status_code=404,
            )
        return await super().get_response(path, scope)


MIGRATIONS = Path(__file__).resolve().parent / "migrations"

TAGS: list[dict[str, Any]] = [
    {"name": "training", "description": "The signed-in staff member's tracks and progress."},
    {"name": "exams", "description": "Exam attempts: start, answer, submit once."},
    {"name": "certificates", "description": "Certificates and the public verification lookup."},
    {"name": "operator views", "description": "For an operator's compliance officers/admins."},
    {"name": "support", "description": "Academy support actions (audited, need a reason)."},
    {"name": "admin", "description": "Operators' go-live jurisdictions."},
    {"name": "operations", "description": "Health, readiness and metrics."},
]


def create(
    settings: AssessmentSettings, *, clock: Clock | None = None, ids: IdSource | None = None
) -> tuple[FastAPI, ServiceRuntime]:
    """The app and its runtime; `clock` defaults to the runtime's (shiftable in local mode)."""
    runtime = ServiceRuntime(
        settings, schema=SCHEMA, metadata=metadata, produces=mesh.ASSESSMENT.produces
    )
    wiring = Wiring(
        runtime=runtime,
        clock=clock or runtime.clock,
        ids=ids or SystemIds(),
        rules=AttemptRules(submission_grace=timedelta(seconds=settings.submission_grace_s)),
        public_base_url=settings.public_base_url,
    )
    runtime.subscribe(
        mesh.ASSESSMENT.consumer("catalogue"), assessment_units(runtime), *catalogue_routes()
    )
    runtime.background(
        "scheduler",
        scheduler_loop(
            wiring,
            interval_s=settings.scheduler_interval_s,
            batch_size=settings.scheduler_batch_size,
        ),
    )
    app = build_app(
        runtime,
        title="Licensing Academy: assessment",
        description="Training, exams and certificates for operator staff. Every `/v1` route "
        "except the certificate verification lookup needs the portal's bearer JWT; "
        "errors are JSON with a stable `error` code and a `detail` saying what to fix.",
        routers=[
            training.router,
            exams.router,
            certificates.router,
            operator_views.router,
            support.router,
            admin.router,
        ],
        openapi_tags=TAGS,
    )
    app.state.assessment = wiring
    app.mount(UI_PATH, UiKitFiles(settings.ui_dist_path()), name="ui")
    install_error_handlers(app)
    return app, runtime
