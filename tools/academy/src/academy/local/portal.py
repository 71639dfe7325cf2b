"""Reference partner portal: verifies release webhooks, dedupes, records unlocks, and is a
small portal around them.

It verifies with the PyPI `standardwebhooks` library (as the real portal team would), dedupes by
`webhook-id`, records unlocks per operator and jurisdiction, and publishes `portal.events.v1`
through the same transactional outbox as the services; once a webhook's transaction has
committed, open portal pages of that operator hear of it (Server-Sent Events). Its pages (sign
in as a demo person, the portal page with the Certification tab) are in `portal_web`;
`/unlocks` and `/unlocks.html` list every unlock. `/_control` lets tests make it fail (500s,
signature rejections, slowness); it exists in local mode only.
"""

import asyncio
from collections.abc import Sequence
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.staticfiles import StaticFiles

from academy.local.portal_events import Fanout, ToolingChanged
from academy.local.portal_pages import PAGE_COLUMNS as PAGE_COLUMNS
from academy.local.portal_pages import unlocks_page as unlocks_page
from academy.local.portal_people import DemoPerson, demo_people
from academy.local.portal_sessions import DevIssuerClient, SessionStore, TokenIssuer
from academy.local.portal_settings import PortalSettings as PortalSettings
from academy.local.portal_store import SCHEMA, metadata, received, unlock_rows, unlocks
from academy.local.portal_store import create_schema as create_schema
from academy.local.portal_web import STATIC_DIR, PortalWeb, portal_router
from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from contracts import mesh, webhooks
from contracts.portal import NoticeReceived, ToolingLocked, ToolingUnlocked


class Control(BaseModel):
    mode: Literal["ok", "fail_500", "reject_signature", "gone"] = "ok"
    delay_s: float = Field(default=0.0, ge=0, le=60)


def _router(settings: PortalSettings, fanout: Fanout) -> APIRouter:
    router = APIRouter()
    verifiers = [Webhook(s.get_secret_value()) for s in settings.webhook_secrets]
    control = Control()

    @router.post("/webhooks/academy", summary="Receive a Licensing Academy webhook")
    async def receive(request: Request) -> Response:
        if control.delay_s:
            await asyncio.sleep(control.delay_s)
        if control.mode == "fail_500":
            return Response("portal failure (injected)", status_code=500)
        if control.mode == "gone":
            return Response("endpoint gone (injected)", status_code=410)
        body = await request.body()
        headers = dict(request.headers)
        payload = _verify(verifiers, body, headers) if control.mode == "ok" else None
        if payload is None:
            return Response("signature rejected", status_code=401)
        runtime: ServiceRuntime = request.app.state.runtime
        async with runtime.sessions() as session, session.begin():
            change = await _record(runtime, session, headers["webhook-id"], body)
        if change is not None:
            fanout.publish(change)  # committed: pages may read it now
        return Response(status_code=204)

    @router.put("/_control", summary="Inject failures (local mode only)")
    async def set_control(body: Control) -> Control:
        if not settings.is_local:
            raise HTTPException(404, "not found")
        control.mode, control.delay_s = body.mode, body.delay_s
        return control

    @router.get("/unlocks", summary="Unlocked tooling per operator and jurisdiction")
    async def list_unlocks(request: Request) -> list[dict[str, Any]]:
        runtime: ServiceRuntime = request.app.state.runtime
        async with runtime.sessions() as session:
            return await unlock_rows(session)

    @router.get("/unlocks.html", response_class=HTMLResponse, include_in_schema=False)
    async def unlocks_table(request: Request) -> str:
        return unlocks_page(await list_unlocks(request))

    return router


def _verify(verifiers: list[Webhook], body: bytes, headers: dict[str, str]) -> Any:
    for verifier in verifiers:
        try:
            return verifier.verify(body, headers)
        except WebhookVerificationError:
            continue
    return None


async def _record(
    runtime: ServiceRuntime, session: Any, webhook_id: str, body: bytes
) -> ToolingChanged | None:
    """Apply a webhook once; what changed in the operator's tooling, if anything."""
    now = runtime.clock.now()
    message = _parse(body)
    operator = message.data.operator_id
    first = await session.scalar(
        insert(received)
        .values(
            webhook_id=webhook_id,
            type=message.type,
            operator_id=operator,
            times_received=1,
            first_received_at=now,
        )
        .on_conflict_do_update(
            index_elements=[received.c.webhook_id],
            set_={"times_received": received.c.times_received + 1},
        )
        .returning(received.c.times_received)
    )
    if first != 1:
        return None  # duplicate delivery: acknowledged, applied once
    data = message.data
    change = None
    if isinstance(message, webhooks.ToolingReleased):
        await session.execute(
            insert(unlocks)
            .values(
                operator_id=operator,
                jurisdiction=data.jurisdiction,
                tooling=data.tooling,
                release_id=data.release_id,
                reason=data.reason,
                state="unlocked",
                unlocked_at=now,
                times_unlocked=1,
            )
            .on_conflict_do_update(
                index_elements=[unlocks.c.operator_id, unlocks.c.jurisdiction],
                set_={
                    "tooling": data.tooling,
                    "release_id": data.release_id,
                    "reason": data.reason,
                    "state": "unlocked",
                    "unlocked_at": now,
                    "times_unlocked": unlocks.c.times_unlocked + 1,
                },
            )
        )
        event: Any = ToolingUnlocked(
            release_id=data.release_id,
            operator_id=operator,
            jurisdiction=data.jurisdiction,
            tooling=data.tooling,
            reason=data.reason,
            evidence=data.evidence,
            override=data.override,
            unlocked_at=now,
        )
        change = ToolingChanged(operator, data.jurisdiction, "unlocked")
    elif isinstance(message, webhooks.ToolingRevoked):
        await session.execute(
            update(unlocks)
            .where(unlocks.c.operator_id == operator, unlocks.c.jurisdiction == data.jurisdiction)
            .values(state="locked")
        )
        event = ToolingLocked(
            revocation_id=data.revocation_id,
            operator_id=operator,
            jurisdiction=data.jurisdiction,
            tooling=data.tooling,
            locked_at=now,
        )
        change = ToolingChanged(operator, data.jurisdiction, "locked")
    else:
        event = NoticeReceived(
            webhook_id=webhook_id,
            webhook_type=message.type,
            operator_id=operator,
            jurisdiction=data.jurisdiction,
            received_at=now,
        )
    await runtime.emit(session, runtime.envelope(event, tenant=operator, subject=webhook_id))
    return change


def _parse(body: bytes) -> Any:
    from pydantic import TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(webhooks.WebhookMessage)
    try:
        return adapter.validate_json(body)
    except ValueError as exc:
        raise HTTPException(400, f"body is not a known webhook: {exc}") from exc


def create(
    settings: PortalSettings,
    *,
    people: Sequence[DemoPerson] | None = None,
    issuer: TokenIssuer | None = None,
) -> tuple[FastAPI, ServiceRuntime]:
    """The portal app; `people` default to the demo operator's and the vendor's support person,
    `issuer` to the development issuer at `settings.oidc_issuer`."""
    runtime = ServiceRuntime(
        settings, schema=SCHEMA, metadata=metadata, produces=mesh.PORTAL.produces
    )
    fanout = Fanout()
    web = PortalWeb(
        settings=settings,
        people=people or demo_people(vendor=settings.staff_tenant),
        issuer=issuer or DevIssuerClient(settings.oidc_issuer),
        sessions=SessionStore(),
        fanout=fanout,
    )
    app = build_app(
        runtime,
        title="Reference partner portal",
        description="Verifies Licensing Academy webhooks and records tooling unlocks; signs "
        "demo people in to a portal page with the Certification tab.",
        routers=[_router(settings, fanout), portal_router(web)],
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app, runtime
