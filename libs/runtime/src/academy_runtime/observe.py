"""Every HTTP request observed: counted (crashes too), timed, logged, and given a request id.

A pure ASGI middleware, outside the input guard and the routes, so a route that raises is
counted as the 500 it becomes, and answers a JSON body carrying the request id that is also in
the log line with the traceback. The id comes from a valid `X-Request-Id` header (a gateway's)
or is made here, and is sent back in `X-Request-Id`.
"""

import json
import logging
import random
import re
import time
import uuid
from collections.abc import Callable
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from academy_runtime.errors import ErrorBody
from academy_runtime.logs import request_id_var, stamp_request_ids
from academy_runtime.metrics import RuntimeMetrics

log = logging.getLogger("academy.access")

REQUEST_ID_HEADER: Final = "x-request-id"
_INBOUND_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: Probes and scrapes: counted and timed, logged only when they fail.
QUIET_PATHS: Final = frozenset({"/healthz", "/readyz", "/metrics"})


class ObservedRequests:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: RuntimeMetrics,
        sample_rate: float = 1.0,
        chance: Callable[[], float] = random.random,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.sample_rate = sample_rate
        self.chance = chance
        stamp_request_ids()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def observed_send(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        crashed = False
        try:
            await self.app(scope, receive, observed_send)
        except Exception:
            crashed = True
            status = 500
            log.exception(  # stamped with the request id (logs.stamp_request_ids)
                "unhandled error in %s %s", scope.get("method"), scope.get("path")
            )
            if not response_started:
                await _internal_error(send, request_id)
        finally:
            request_id_var.reset(token)
        self._record(scope, status, time.perf_counter() - started, request_id, crashed)

    def _record(
        self, scope: Scope, status: int, seconds: float, request_id: str, crashed: bool
    ) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = str(scope.get("method", ""))
        self.metrics.http_requests.labels(route, method, f"{status // 100}xx").inc()
        self.metrics.http_seconds.labels(route, method).observe(seconds)
        path = str(scope.get("path", ""))
        if status < 500 and (path in QUIET_PATHS or self.chance() >= self.sample_rate):
            return
        log.log(
            logging.ERROR if status >= 500 else logging.INFO,
            "%s %s %d",
            method,
            route,
            status,
            extra={
                "request_id": request_id,
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "client": (scope.get("client") or ("", 0))[0],
                "crashed": crashed,
            },
        )


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            text = bytes(value).decode("latin-1")
            if _INBOUND_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


async def _internal_error(send: Send, request_id: str) -> None:
    body = json.dumps(
        ErrorBody(
            error="internal_error",
            detail="The service failed to handle this request. Quote the request id when "
            "reporting it.",
            request_id=request_id,
        ).body()
    ).encode()
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (REQUEST_ID_HEADER.encode(), request_id.encode()),
    ]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})
