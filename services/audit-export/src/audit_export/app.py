"""Audit-export service factory: everything built from Settings, nothing at import."""

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from academy_runtime import db
from academy_runtime.app import build_app
from academy_runtime.routes import on_batch
from academy_runtime.service import ServiceRuntime
from audit_export.adapters.block_stream import BlockStream
from audit_export.adapters.locks import PgOperatorLocks
from audit_export.adapters.metrics import AuditMetrics
from audit_export.adapters.orm import SCHEMA, metadata
from audit_export.adapters.sftp import SftpUploader
from audit_export.adapters.unit_of_work import audit_units
from audit_export.entrypoints import export_api, log_api
from audit_export.entrypoints.deps import Wiring
from audit_export.entrypoints.scheduler import scheduler_loop
from audit_export.service import ingest
from audit_export.service.exports import ExportPassPorts, ExportPolicy
from audit_export.service.packs import PackBuildPorts
from audit_export.service.ports import BlockSource, Uploader
from audit_export.settings import AuditExportSettings
from contracts import mesh
from contracts.clock import Clock

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

TAGS: list[dict[str, Any]] = [
    {"name": "audit", "description": "The per-operator audit log."},
    {"name": "exports", "description": "Nightly pack deliveries and inspection bundles."},
    {"name": "operations", "description": "Health, readiness and metrics."},
]


def wire(
    settings: AuditExportSettings,
    runtime: ServiceRuntime,
    *,
    clock: Clock | None = None,
    uploader: Uploader | None = None,
    blocks: BlockSource | None = None,
) -> Wiring:
    """The service's ports and handlers around an existing runtime (also used by the CLI)."""
    metrics = AuditMetrics(runtime.registry)
    targets = settings.targets()
    if settings.export_work_dir is not None:
        settings.export_work_dir.mkdir(parents=True, exist_ok=True)
    workshop = PackBuildPorts(
        units=audit_units(runtime),
        blocks=blocks or BlockStream(db.plain_dsn(settings.database_url.get_secret_value())),
        keyring=settings.keyring(),
        work_dir=settings.export_work_dir,
        metrics=metrics,
    )
    now = clock or runtime.clock
    exporter = ExportPassPorts(
        workshop=workshop,
        locks=PgOperatorLocks(runtime.engine),
        uploader=uploader
        or SftpUploader(
            connect_timeout_s=settings.sftp_connect_timeout_s,
            transfer_timeout_s=settings.sftp_transfer_timeout_s,
        ),
        targets=targets,
        policy=ExportPolicy(
            export_at=settings.export_at_utc,
            attempts_per_pass=settings.export_attempts_per_pass,
            attempt_backoff_s=settings.export_attempt_backoff_s,
            retry_base_s=settings.export_retry_base_s,
            retry_cap_s=settings.export_retry_cap_s,
        ),
        clock=now,
        metrics=metrics,
    )
    return Wiring(
        runtime=runtime,
        workshop=workshop,
        exporter=exporter,
        targets=targets,
        clock=now,
        metrics=metrics,
        inspection_max_days=settings.inspection_max_days,
    )


def create(
    settings: AuditExportSettings,
    *,
    clock: Clock | None = None,
    uploader: Uploader | None = None,
    blocks: BlockSource | None = None,
    scheduler: bool = True,
) -> tuple[FastAPI, ServiceRuntime]:
    runtime = ServiceRuntime(
        settings, schema=SCHEMA, metadata=metadata, produces=mesh.AUDIT_EXPORT.produces
    )
    wiring = wire(settings, runtime, clock=clock, uploader=uploader, blocks=blocks)
    ingesting = mesh.AUDIT_EXPORT.consumer("audit-ingest")
    runtime.subscribe(
        ingesting,
        audit_units(runtime),
        on_batch(ingesting.types, ingest.handler(clock=wiring.clock, observer=wiring.metrics)),
    )
    if scheduler:
        runtime.background(
            "export-scheduler",
            scheduler_loop(wiring, interval_s=settings.export_poll_interval_s),
        )
    app = build_app(
        runtime,
        title="Licensing Academy: audit export",
        description="Tamper-evident audit log, nightly per-operator audit packs over SFTP, "
        "and on-demand inspection bundles. Every `/v1` route needs the portal's bearer JWT.",
        routers=[log_api.router, export_api.router],
        openapi_tags=TAGS,
    )
    app.state.audit_export = wiring
    return app, runtime
