from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import MetaData

from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings


def _client(environment: str) -> tuple[httpx.AsyncClient, ServiceRuntime]:
    runtime = ServiceRuntime(
        ServiceSettings(
            environment=environment,
            database_url="postgresql://u:real-pw@db/x",
            kafka_bootstrap_servers="kafka-1:9092",
        ),
        schema="clocktest",
        metadata=MetaData(schema="clocktest"),
    )
    app = build_app(runtime, title="t", description="t")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t"), runtime


async def test_local_mode_can_shift_the_service_clock_and_events_carry_the_shifted_time() -> None:
    client, runtime = _client("local")
    response = await client.put("/_dev/clock", json={"offset_seconds": 86_400 * 500})
    assert response.status_code == 200
    assert runtime.clock.now() - datetime.now(UTC) > timedelta(days=499)
    envelope = runtime.envelope(None, tenant="op")
    assert envelope.time - datetime.now(UTC) > timedelta(days=499)


async def test_production_has_no_clock_endpoint() -> None:
    client, runtime = _client("production")
    response = await client.put("/_dev/clock", json={"offset_seconds": 10})
    assert response.status_code == 404
    assert abs((runtime.clock.now() - datetime.now(UTC)).total_seconds()) < 5
