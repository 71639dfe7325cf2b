"""Probes that keep the API up through a broker outage and restart a process whose work died.

Real Postgres; the broker is either real Tansu or an address where nothing listens.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData, text

from academy_runtime.app import build_app
from academy_runtime.migrations import create_runtime_tables
from academy_runtime.routes import on
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from academy_runtime.uow import UnitOfWork, UnitsOfWork
from academy_testkit.waiting import until
from contracts import Envelope
from contracts.assessment import OperatorJurisdictionsSet
from contracts.mesh import Consumes

pytestmark = pytest.mark.integration

NOWHERE = "127.0.0.1:9"  # nothing listens on the discard port here


@asynccontextmanager
async def _service(
    settings: ServiceSettings, prepare: Callable[[ServiceRuntime], None] = lambda _: None
) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    schema = f"probe_{uuid.uuid4().hex[:8]}"
    runtime = ServiceRuntime(settings, schema=schema, metadata=MetaData(schema=schema))
    prepare(runtime)
    app = build_app(runtime, title="probe", description="probe")
    try:
        async with runtime.engine.begin() as conn:
            await conn.execute(text(f"CREATE SCHEMA {schema}"))
            await conn.run_sync(lambda c: create_runtime_tables(c, schema))
    except OSError:
        pass  # the database is meant to be unreachable in that test
    await runtime.start()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://probe.test") as client:
            yield runtime, client
    finally:
        await runtime.stop(drain_s=2.0)


async def test_a_broker_outage_keeps_the_service_ready_and_says_so(
    make_settings: Callable[..., ServiceSettings],
) -> None:
    settings = make_settings(ServiceSettings, kafka_bootstrap_servers=NOWHERE)
    async with _service(settings) as (runtime, client):
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["checks"] == {"database": "ok", "broker": "connecting"}
        assert body["degraded"] == ["broker"]
        assert runtime.registry.get_sample_value("academy_broker_up") == 0
        assert (await client.get("/healthz")).status_code == 200
        # The API still takes work: an event waits in the outbox for the broker.
        event = runtime.envelope(
            OperatorJurisdictionsSet.model_validate(
                {
                    "operator_id": "op-probe",
                    "jurisdictions": ["MGA"],
                    "actor": "t",
                    "set_at": "2026-12-07T00:00:00Z",
                }
            ),
            tenant="op-probe",
        )
        async with runtime.sessions() as session, session.begin():
            await runtime.emit(session, event)


async def test_without_its_database_the_service_is_not_ready(
    make_settings: Callable[..., ServiceSettings],
) -> None:
    settings = make_settings(
        ServiceSettings, database_url="postgresql+asyncpg://postgres@127.0.0.1:9/none"
    )
    async with _service(settings) as (_, client):
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("unreachable")


async def test_liveness_fails_when_background_work_or_a_consume_loop_stops(
    make_settings: Callable[..., ServiceSettings],
) -> None:
    async def ends_early(stop: asyncio.Event) -> None:
        return None

    async def handle(envelope: Envelope[OperatorJurisdictionsSet], *, uow: UnitOfWork) -> None:
        return None

    def prepare(runtime: ServiceRuntime) -> None:
        runtime.subscribe(
            Consumes("probe", (f"probe.{uuid.uuid4().hex[:6]}",), (OperatorJurisdictionsSet,)),
            UnitsOfWork(runtime, UnitOfWork),
            on(OperatorJurisdictionsSet, handle),
        )

    async with _service(make_settings(ServiceSettings), prepare) as (runtime, client):
        await until(lambda: runtime.broker_started, "the broker connected")
        assert (await client.get("/healthz")).status_code == 200
        ready = await until(
            lambda: _ok(client, "/readyz", lambda b: b["checks"]["broker"] == "ok"), "broker ok"
        )
        assert ready["degraded"] == []
        assert runtime.registry.get_sample_value("academy_broker_up") == 1

        subscriber: Any = runtime.consumers[0].subscriber
        for loop in subscriber.tasks:
            loop.cancel()
        failing = await until(lambda: _failing(client), "liveness to fail")
        assert failing == {"consumer probe": "its consume loop ended"}

    def sweeper(runtime: ServiceRuntime) -> None:
        runtime.background("sweeper", ends_early)  # background work must run until stop

    async with _service(make_settings(ServiceSettings), sweeper) as (runtime, client):
        failing = await until(lambda: _failing(client), "liveness to fail")
        assert failing == {"sweeper": "stopped"}


async def _ok(client: httpx.AsyncClient, path: str, check: Callable[[Any], bool]) -> Any:
    response = await client.get(path)
    body = response.json()
    return body if response.status_code == 200 and check(body) else None


async def _failing(client: httpx.AsyncClient) -> dict[str, str] | None:
    response = await client.get("/healthz")
    if response.status_code != 503:
        return None
    failed: dict[str, str] = response.json()["failed"]
    return failed
