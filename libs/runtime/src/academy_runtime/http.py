"""FastAPI pieces every service shares: health, metrics, error bodies, request metrics."""

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from academy_runtime.auth import AuthError, auth_error_response
from academy_runtime.errors import ErrorBody
from academy_runtime.input_guard import InputGuard, invalid_request
from academy_runtime.metrics import RuntimeMetrics
from academy_runtime.observe import ObservedRequests

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[dict[str, str]]]
LivenessCheck = Callable[[], dict[str, str]]

#: The checks `/readyz` needs "ok" for: what the HTTP API cannot serve without. The broker is
#: reported, not required: the outbox holds events while it is away.
READY_NEEDS = ("database",)


def _alive() -> dict[str, str]:
    return {}


def install_common(
    app: FastAPI,
    *,
    metrics: RuntimeMetrics,
    readiness: ReadinessCheck,
    liveness: LivenessCheck = _alive,
    access_log_sample_rate: float = 1.0,
) -> None:
    @app.get(
        "/healthz",
        tags=["operations"],
        summary="Liveness: the process serves requests and its background work runs",
        responses={503: {"description": "A background task or consumer loop stopped"}},
    )
    async def healthz() -> JSONResponse:
        failed = liveness()
        if failed:
            return JSONResponse({"status": "failing", "failed": failed}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Readiness: the database answers (the broker's state is reported, not needed)",
        responses={503: {"description": "The database is not reachable"}},
    )
    async def readyz() -> JSONResponse:
        checks = await readiness()
        ok = all(checks.get(name) == "ok" for name in READY_NEEDS)
        degraded = sorted(name for name, value in checks.items() if value != "ok")
        return JSONResponse(
            {"status": "ready" if ok else "not_ready", "checks": checks, "degraded": degraded},
            status_code=200 if ok else 503,
        )

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.exception_handler(AuthError)
    async def on_auth_error(_: Request, exc: AuthError) -> JSONResponse:
        return auth_error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": field_name(err.get("loc", ())), "problem": err.get("msg", "invalid")}
            for err in exc.errors()
        ]
        return invalid_request(problems)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail: Any = exc.detail
        body = (
            detail
            if isinstance(detail, dict)
            else ErrorBody(error=_label(exc.status_code), detail=str(detail)).body()
        )
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    app.add_middleware(InputGuard)
    # Outside the guard: its refusals are counted, timed and logged like any answer.
    app.add_middleware(ObservedRequests, metrics=metrics, sample_rate=access_log_sample_rate)


def field_name(loc: Sequence[int | str]) -> str:
    """`reason`, `answers.2.option_ids`, `path.operator_id`, `query.limit`, or `body` itself."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        parts = parts[1:] or ["body"]
    return ".".join(parts) or "body"


def _label(status: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        410: "gone",
        412: "precondition_failed",
        422: "invalid_request",
        429: "too_many_requests",
    }.get(status, "error")
