"""A scriptable portal over real HTTP, bridges on the test database, and dev-issuer tokens."""

import asyncio
import json
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from academy_runtime.auth import JwksCache, TokenVerifier
from academy_runtime.service import ServiceRuntime
from academy_testkit.issuer import DevIssuer
from contracts import decode
from release_bridge.adapters.orm import deliveries, outbox
from release_bridge.adapters.unit_of_work import Units
from release_bridge.app import create
from release_bridge.domain.signing import WebhookSecret
from release_bridge.domain.webhook_bodies import OutgoingWebhook
from release_bridge.service.ports import NewDelivery
from release_bridge.settings import ReleaseBridgeSettings

SECRET = WebhookSecret.generate()
ISSUER = "http://issuer.test"


@dataclass
class Received:
    webhook_id: str
    headers: dict[str, str]
    body: bytes
    verified: bool


@dataclass
class ScriptablePortal:
    """Verifies every request with PyPI `standardwebhooks`; answers from a per-test script."""

    url: str = ""
    secret: str = SECRET.encoded()
    statuses: list[int] = field(default_factory=list)
    delay_s: float = 0.0
    received: list[Received] = field(default_factory=list)

    def reset(self) -> None:
        self.statuses.clear()
        self.received.clear()
        self.delay_s = 0.0

    def ids(self) -> list[str]:
        return [r.webhook_id for r in self.received]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            body = await request.body()
            headers = dict(request.headers)
            try:
                Webhook(self.secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
            self.received.append(Received(headers.get("webhook-id", ""), headers, body, verified))
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            status = self.statuses.pop(0) if self.statuses else (204 if verified else 401)
            return Response(status_code=status, content=f"scripted {status}")

        return app


@pytest.fixture(scope="session")
def portal_server() -> Iterator[ScriptablePortal]:
    portal = ScriptablePortal()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(portal.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.01)
    assert server.started, "scriptable portal did not start"
    portal.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    yield portal
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture
def portal(portal_server: ScriptablePortal) -> ScriptablePortal:
    portal_server.reset()
    return portal_server


@pytest.fixture(scope="session")
def issuer() -> DevIssuer:
    return DevIssuer(ISSUER)


def bearer(issuer: DevIssuer, *groups: str, sub: str = "sam.support") -> dict[str, str]:
    token = issuer.mint(sub=sub, operator_id="academy-vendor", groups=list(groups))
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Bridge:
    app: Any
    runtime: ServiceRuntime
    settings: ReleaseBridgeSettings

    @property
    def endpoint(self) -> str:
        return self.settings.portal_endpoint_name

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://bridge.test")


BridgeFactory = Callable[..., Bridge]


@pytest.fixture
async def make_bridge(
    make_settings: Callable[..., Any], portal_server: ScriptablePortal, issuer: DevIssuer
) -> AsyncIterator[BridgeFactory]:
    """Bridges on the test database; each test gets its own endpoint (so its own breaker)."""
    endpoint = f"portal-{uuid.uuid4().hex[:8]}"
    built: list[Bridge] = []

    def build(**overrides: Any) -> Bridge:
        clock = overrides.pop("clock", None)
        values: dict[str, Any] = {
            "portal_webhook_url": portal_server.url,
            "portal_endpoint_name": endpoint,
            "portal_webhook_secret": SECRET.encoded(),
            "portal_total_timeout_s": 3.0,
            "delivery_lease_s": 10.0,
            "delivery_poll_interval_s": 0.1,
            "reconcile_interval_s": 0.5,
            "retry_base_s": 0.2,
            "retry_cap_s": 1.0,
            "oidc_issuer": ISSUER,
        }
        values.update(overrides)
        settings = make_settings(ReleaseBridgeSettings, **values)
        app, runtime = create(settings, clock=clock) if clock else create(settings)
        app.state.token_verifier = TokenVerifier(
            settings,
            jwks=JwksCache(
                f"{ISSUER}/jwks.json",
                ttl_s=600,
                transport=httpx.MockTransport(lambda _: httpx.Response(200, json=issuer.jwks())),
            ),
        )
        bridge = Bridge(app, runtime, settings)
        built.append(bridge)
        return bridge

    yield build
    for bridge in built:
        await bridge.runtime.stop()
        await bridge.app.state.portal_client.aclose()


class MovableClock:
    """Real time at the start (the portal's library checks signatures against it), then moved."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


async def enqueue(
    bridge: Bridge,
    count: int,
    *,
    webhook_type: str = "tooling.released.v1",
    operator_id: str | None = None,
    jurisdiction: str = "MGA",
    at: datetime | None = None,
) -> list[str]:
    """Queue webhooks directly (as a decision would), returning their ids in order."""
    when = at or datetime.now(UTC)
    ids = []
    async with Units(bridge.runtime)() as unit:
        for n in range(count):
            webhook_id = f"wh-{uuid.uuid4().hex[:12]}"
            operator = operator_id or f"op-{webhook_id}"
            body = json.dumps({"type": webhook_type, "n": n, "id": webhook_id}).encode()
            webhook = OutgoingWebhook(webhook_id, webhook_type, operator, jurisdiction, body)
            delivery = NewDelivery(webhook, bridge.endpoint, decided_at=when, triggered_at=when)
            assert await unit.deliveries.enqueue(delivery, now=when)
            ids.append(webhook_id)
    return ids


async def statuses(bridge: Bridge, ids: list[str]) -> list[str]:
    async with bridge.runtime.sessions() as session:
        rows = dict(
            (
                await session.execute(
                    select(deliveries.c.webhook_id, deliveries.c.status).where(
                        deliveries.c.webhook_id.in_(ids)
                    )
                )
            ).all()
        )
    return [rows[i] for i in ids]


async def outbox_events(
    bridge: Bridge, ce_type: str, *, subject: str | None = None, tenant: str | None = None
) -> list[Any]:
    """Decoded data of the events the bridge staged in its outbox, oldest first."""
    query = select(outbox.c.headers, outbox.c.payload).where(
        outbox.c.headers["ce_type"].astext == ce_type
    )
    if subject is not None:
        query = query.where(outbox.c.headers["ce_subject"].astext == subject)
    if tenant is not None:
        query = query.where(outbox.c.headers["ce_tenantid"].astext == tenant)
    async with bridge.runtime.sessions() as session:
        rows = (await session.execute(query.order_by(outbox.c.id))).all()
    return [decode(row.headers, row.payload).data for row in rows]


async def drain(bridge: Bridge, *, rounds: int = 50) -> None:
    """Run delivery rounds until one sends nothing."""
    worker = bridge.app.state.delivery_worker
    for _ in range(rounds):
        if not (await worker.run_once()).sent:
            return
    raise AssertionError(f"deliveries still flowing after {rounds} rounds")
