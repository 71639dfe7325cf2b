"""Release-bridge service factory: everything built from Settings, nothing at import."""

import asyncio
import os
import secrets
import socket
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from academy_runtime import db
from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from contracts import mesh
from contracts.clock import Clock
from release_bridge.adapters import delivery_signal
from release_bridge.adapters.metrics import BridgeMetrics
from release_bridge.adapters.orm import SCHEMA, metadata
from release_bridge.adapters.portal_client import PortalClient
from release_bridge.adapters.unit_of_work import Units
from release_bridge.domain.breaker import CircuitBreaker
from release_bridge.entrypoints.consumers import assessment_routes, catalogue_routes
from release_bridge.entrypoints.operator_api import operator_router
from release_bridge.entrypoints.support_api import support_router
from release_bridge.entrypoints.workers import DeliveryLoop, ReconcileLoop
from release_bridge.service.delivery import DeliveryConfig, DeliveryWorker
from release_bridge.settings import ReleaseBridgeSettings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def replica_name() -> str:
    """Names this process in the attempt ledger (host and pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def create(
    settings: ReleaseBridgeSettings, *, clock: Clock | None = None
) -> tuple[FastAPI, ServiceRuntime]:
    runtime = ServiceRuntime(
        settings, schema=SCHEMA, metadata=metadata, produces=mesh.RELEASE_BRIDGE.produces
    )
    # Decisions, retries and the reconciler follow the service clock (shiftable in local mode
    # for demos); webhook signatures always carry wall-clock time (see DeliveryWorker._send).
    clock = clock or runtime.clock
    endpoint = settings.portal_endpoint_name
    units = Units(runtime)
    metrics = BridgeMetrics(
        runtime.registry, endpoint=endpoint, ack_slo=timedelta(seconds=settings.ack_slo_s)
    )
    breaker = CircuitBreaker(settings.breaker_config(), clock)
    declared = mesh.RELEASE_BRIDGE
    runtime.subscribe(
        declared.consumer("assessment"),
        units,
        *assessment_routes(endpoint=endpoint, clock=clock),
    )
    runtime.subscribe(
        declared.consumer("catalogue"), units, *catalogue_routes(endpoint=endpoint, clock=clock)
    )
    portal = PortalClient(
        connect_timeout=timedelta(seconds=settings.portal_connect_timeout_s),
        read_timeout=timedelta(seconds=settings.portal_read_timeout_s),
        total_timeout=timedelta(seconds=settings.portal_total_timeout_s),
        max_connections=max(settings.delivery_concurrency, 1) * 2,
    )
    worker = DeliveryWorker(
        units=units,
        sender=portal,
        breaker=breaker,
        retry=settings.retry_policy(),
        keys=settings.signing_keys(),
        config=DeliveryConfig(
            endpoint=endpoint,
            url=settings.portal_webhook_url,
            batch_size=settings.delivery_batch_size,
            concurrency=settings.delivery_concurrency,
            lease=timedelta(seconds=settings.delivery_lease_s),
            replica=replica_name(),
        ),
        clock=clock,
        random=secrets.SystemRandom().random,
        observer=metrics,
    )
    queued = asyncio.Event()
    deliveries = DeliveryLoop(
        worker, poll_interval_s=settings.delivery_poll_interval_s, clock=clock, wake=queued
    )
    listen_dsn = db.plain_dsn(settings.database_url.get_secret_value())

    async def listen_for_deliveries(stop: asyncio.Event) -> None:
        await delivery_signal.listen(listen_dsn, queued, stop)

    runtime.background("delivery-listener", listen_for_deliveries)

    async def deliver(stop: asyncio.Event) -> None:
        try:
            await deliveries.run(stop)
        finally:
            if stop.is_set():
                await portal.aclose()

    runtime.background("delivery", deliver)
    reconciler = ReconcileLoop(
        units,
        metrics,
        endpoint=endpoint,
        slo=timedelta(seconds=settings.ack_slo_s),
        interval_s=settings.reconcile_interval_s,
        clock=clock,
    )
    runtime.background("reconciler", reconciler.run)
    app = build_app(
        runtime,
        title="Licensing Academy: release bridge",
        description="Turns met release policies into signed portal webhooks.",
        routers=[
            support_router(breaker=breaker, endpoint=endpoint, clock=clock, metrics=metrics),
            operator_router(endpoint=endpoint, clock=clock),
        ],
        openapi_tags=[
            {"name": "support", "description": "Manual overrides (academy_support)"},
            {
                "name": "operator views",
                "description": "Release status for the operator's compliance officers and admins",
            },
        ],
    )
    app.state.bridge_metrics = metrics
    app.state.delivery_worker = worker
    app.state.portal_client = portal
    app.state.reconciler = reconciler
    return app, runtime
