"""Build a service's FastAPI app around its ServiceRuntime, and serve it."""

from collections.abc import Iterable
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware

from academy_runtime import heap, logs
from academy_runtime.clock import dev_router
from academy_runtime.docs import offline_docs_app
from academy_runtime.http import install_common
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings

#: What a portal page's script may send and read cross-origin (the exam's submission needs
#: Idempotency-Key; a 429 or 409 says when to retry in Retry-After).
CORS_METHODS = ("GET", "POST", "PUT")
CORS_REQUEST_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key")
CORS_EXPOSED_HEADERS = ("Retry-After",)


def build_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    routers: Iterable[APIRouter] = (),
    openapi_tags: list[dict[str, Any]] | None = None,
) -> FastAPI:
    app = offline_docs_app(
        title=title,
        description=description,
        version=runtime.build.version,
        lifespan=runtime.lifespan,
        openapi_tags=openapi_tags,
    )
    app.state.runtime = runtime
    app.state.metrics = runtime.metrics
    app.state.token_verifier = runtime.verifier
    install_common(
        app,
        metrics=runtime.metrics,
        readiness=runtime.readiness,
        liveness=runtime.liveness,
        access_log_sample_rate=runtime.settings.access_log_sample_rate,
    )
    for router in routers:
        app.include_router(router)
    if runtime.settings.is_local:
        app.include_router(dev_router())
    allow_cross_origin(app, runtime.settings)
    return app


def allow_cross_origin(app: FastAPI, settings: ServiceSettings) -> None:
    """CORS for the configured origins, outermost (added last), so a preflight is answered
    before the input guard and authentication, and every route and mount (the assessment's
    /ui/ module scripts, fetched in CORS mode) is covered."""
    if not settings.cors_origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=list(CORS_METHODS),
        allow_headers=list(CORS_REQUEST_HEADERS),
        expose_headers=list(CORS_EXPOSED_HEADERS),
        allow_credentials=settings.cors_allow_credentials,
        max_age=600,
    )


def serve(app: FastAPI, runtime: ServiceRuntime) -> None:
    """Run one service process until SIGINT/SIGTERM (graceful: in-flight work finishes)."""
    settings = runtime.settings
    logs.configure(settings.service_name, level=settings.log_level, fmt=settings.log_format)
    heap.settle(settings.gc_young_threshold)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
    )
