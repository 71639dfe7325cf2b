"""Every request is counted, timed and logged with a request id; a crash is a counted JSON 500.

The app is the runtime's shared HTTP plumbing (`install_common`) around a few routes, driven in
process: the alert on 5xx can only fire if a route that raises is counted.
"""

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from academy_runtime.http import install_common
from academy_runtime.logs import JsonFormatter
from academy_runtime.metrics import RuntimeMetrics

ACCESS = "academy.access"


async def _ready() -> dict[str, str]:
    return {"database": "ok"}


def _app(sample_rate: float = 1.0) -> tuple[FastAPI, RuntimeMetrics]:
    app = FastAPI()
    metrics = RuntimeMetrics(CollectorRegistry())
    install_common(app, metrics=metrics, readiness=_ready, access_log_sample_rate=sample_rate)

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        logging.getLogger("academy.test").info("looking up %d", item_id)
        return {"item_id": item_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("the ledger is on fire")

    return app, metrics


@pytest.fixture
async def client() -> AsyncIterator[tuple[httpx.AsyncClient, RuntimeMetrics]]:
    app, metrics = _app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as http:
        yield http, metrics


def _count(metrics: RuntimeMetrics, route: str, status: str) -> float:
    labels = {"route": route, "method": "GET", "status": status}
    return metrics.registry.get_sample_value("academy_http_requests_total", labels) or 0.0


def _timed(metrics: RuntimeMetrics, route: str) -> float:
    labels = {"route": route, "method": "GET"}
    name = "academy_http_request_duration_seconds_count"
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_a_route_that_raises_is_a_counted_json_500_with_the_request_id_in_the_log(
    client: tuple[httpx.AsyncClient, RuntimeMetrics], caplog: pytest.LogCaptureFixture
) -> None:
    http, metrics = client
    with caplog.at_level(logging.INFO):
        response = await http.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error"
    assert body["request_id"] == response.headers["x-request-id"]
    assert "ledger" not in response.text  # the error stays in the log
    assert _count(metrics, "/boom", "5xx") == 1
    assert _timed(metrics, "/boom") == 1
    crash = next(r for r in caplog.records if r.exc_info)
    assert crash.request_id == body["request_id"]  # type: ignore[attr-defined]
    assert "the ledger is on fire" in JsonFormatter("svc").format(crash)
    line = next(r for r in caplog.records if r.name == ACCESS and not r.exc_info)
    assert (line.status, line.route, line.crashed) == (500, "/boom", True)  # type: ignore[attr-defined]


async def test_requests_are_counted_by_route_template_and_carry_one_request_id(
    client: tuple[httpx.AsyncClient, RuntimeMetrics], caplog: pytest.LogCaptureFixture
) -> None:
    http, metrics = client
    with caplog.at_level(logging.INFO):
        ok = await http.get("/items/7", headers={"X-Request-Id": "gw-1234.abc"})
        refused = await http.get("/items/seven")
        missing = await http.get("/nowhere")
    assert ok.headers["x-request-id"] == "gw-1234.abc"  # a gateway's id is kept
    assert refused.status_code == 422
    assert _count(metrics, "/items/{item_id}", "2xx") == 1
    assert _count(metrics, "/items/{item_id}", "4xx") == 1
    assert _count(metrics, "unmatched", "4xx") == 1  # 404s do not mint a series per path
    assert missing.status_code == 404
    inside = next(r for r in caplog.records if r.name == "academy.test")
    formatted = json.loads(JsonFormatter("svc").format(inside))
    assert formatted["request_id"] == "gw-1234.abc"  # every line of the request carries it
    access = [r for r in caplog.records if r.name == ACCESS]
    assert [r.status for r in access] == [200, 422, 404]  # type: ignore[attr-defined]
    assert all(r.duration_ms >= 0 for r in access)  # type: ignore[attr-defined]


@pytest.mark.parametrize("inbound", ["x" * 65, "has space", "semi;colon", ""])
async def test_an_unusable_inbound_request_id_is_replaced(
    client: tuple[httpx.AsyncClient, RuntimeMetrics], inbound: str
) -> None:
    http, _ = client
    response = await http.get("/items/1", headers={"X-Request-Id": inbound})
    minted = response.headers["x-request-id"]
    assert minted != inbound
    assert len(minted) == 32


async def test_sampling_drops_successes_from_the_access_log_but_never_failures_or_counts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, metrics = _app(sample_rate=0.0)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as http:
        with caplog.at_level(logging.INFO):
            await http.get("/items/1")
            await http.get("/healthz")
            await http.get("/boom")
    access = [r for r in caplog.records if r.name == ACCESS and not r.exc_info]
    assert [r.status for r in access] == [500]  # type: ignore[attr-defined]
    assert _count(metrics, "/items/{item_id}", "2xx") == 1
    assert _count(metrics, "/healthz", "2xx") == 1
