"""The assessment app under test plus the handles tests need (tokens, clock, catalogue, outbox)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from assessment_testkit import FakeClock
from fastapi import FastAPI
from sqlalchemy import select

from academy_runtime.auth import JwksCache, TokenVerifier
from academy_runtime.routes import Routes
from academy_runtime.service import ServiceRuntime
from academy_testkit.issuer import DevIssuer
from academy_testkit.issuer import create_app as create_issuer_app
from assessment.adapters.orm import outbox
from assessment.adapters.unit_of_work import assessment_units
from assessment.entrypoints.background import catalogue_routes
from assessment.entrypoints.deps import Wiring
from assessment.service import operators, scheduler
from assessment.settings import AssessmentSettings
from contracts import Envelope, decode, mesh, topics
from contracts.base import EventData

ISSUER = "http://issuer.assessment.test"


@dataclass
class Harness:
    """The app under test plus the handles tests need: tokens, clock, catalogue, outbox."""

    app: FastAPI
    runtime: ServiceRuntime
    client: httpx.AsyncClient
    clock: FakeClock
    issuer: DevIssuer

    @property
    def wiring(self) -> Wiring:
        wiring: Wiring = self.app.state.assessment
        return wiring

    def auth(
        self,
        operator: str,
        *,
        sub: str | None = None,
        roles: Sequence[str] = ("compliance_officer",),
        name: str | None = None,
    ) -> dict[str, str]:
        token = self.issuer.mint(
            sub=sub or f"staff-{uuid.uuid4().hex[:8]}",
            operator_id=operator,
            groups=list(roles),
            name=name,
        )
        return {"Authorization": f"Bearer {token}"}

    async def publish(self, *events: EventData) -> None:
        """Feed catalogue events through the consumer's handler (Kafka has its own test)."""
        routes = Routes(mesh.ASSESSMENT.consumer("catalogue"), catalogue_routes())
        for data in events:
            envelope = self.runtime.envelope(data, tenant=topics.PLATFORM_TENANT)
            async with assessment_units(self.runtime)() as uow:
                await routes.apply([envelope], uow)

    async def go_live(self, operator: str, *jurisdictions: str) -> None:
        async with assessment_units(self.runtime)() as uow:
            await operators.set_jurisdictions(
                uow=uow,
                operator_id=operator,
                jurisdictions=list(jurisdictions),
                actor="test-admin",
                reason="test set-up",
                now=self.clock(),
                new_operator=True,
            )

    async def events(self, operator: str, *types: str) -> list[Envelope[Any]]:
        """Events staged in the outbox for an operator (key = operator id), oldest first."""
        async with self.runtime.sessions() as session:
            rows = await session.execute(
                select(outbox.c.headers, outbox.c.payload)
                .where(outbox.c.key == operator)
                .order_by(outbox.c.id)
            )
            found = [decode(row.headers, row.payload) for row in rows]
        return [e for e in found if not types or e.type in types]

    async def scheduler_pass(self) -> int:
        return await scheduler.run_once(
            assessment_units(self.runtime),
            now=self.clock(),
            rules=self.wiring.rules,
            batch_size=50,
        )

    async def complete_training(self, headers: dict[str, str], track_key: str) -> None:
        """Complete every module of the track's current version, as staff do before an exam."""
        track = await self.client.get(f"/v1/me/tracks/{track_key}", headers=headers)
        assert track.status_code == 200, track.text
        for module in track.json()["modules"]:
            done = await self.client.put(
                f"/v1/me/tracks/{track_key}/modules/{module['id']}/completion", headers=headers
            )
            assert done.status_code == 200, done.text

    async def start(self, headers: dict[str, str], track_key: str) -> httpx.Response:
        return await self.client.post(f"/v1/me/tracks/{track_key}/attempts", headers=headers)

    async def submit(
        self,
        headers: dict[str, str],
        attempt_id: str,
        answers: dict[str, list[str]],
        *,
        key: str | None = None,
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/me/attempts/{attempt_id}/submission",
            json={"answers": answers},
            headers={**headers, "Idempotency-Key": key or str(uuid.uuid4())},
        )


def wire_issuer(app: FastAPI, settings: AssessmentSettings, issuer: DevIssuer) -> None:
    """Verify tokens against the dev issuer's JWKS, served in-process."""
    transport = httpx.ASGITransport(app=create_issuer_app(issuer))
    app.state.token_verifier = TokenVerifier(
        settings, jwks=JwksCache(f"{ISSUER}/jwks.json", ttl_s=600, transport=transport)
    )
