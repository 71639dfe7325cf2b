"""Reference partner portal: verifies release webhooks, dedupes, records unlocks.

It verifies with the PyPI `standardwebhooks` library (as the real portal team would), dedupes by
`webhook-id`, records unlocks per operator and jurisdiction, shows them at `/`, and publishes
`portal.events.v1` through the same transactional outbox as the services. `/_control` lets
tests make it fail (500s, signature rejections, slowness); it exists in local mode only.
"""

import asyncio
import html
from typing import Any, ClassVar, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from academy_runtime.app import build_app
from academy_runtime.migrations import create_runtime_tables
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from contracts import topics, webhooks
from contracts.portal import NoticeReceived, ToolingLocked, ToolingUnlocked

SCHEMA = "portal"


class PortalSettings(ServiceSettings):
    service_name: ClassVar[str] = "portal"
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    http_port: int = 8105
    webhook_secrets: list[SecretStr] = Field(
        default_factory=lambda: [SecretStr("whsec_ZGV2LW9ubHktcG9ydGFsLXNlY3JldC0wMDAwMDAwMA==")],
        description="whsec_ secrets accepted (several during rotation)",
    )


metadata = MetaData(schema=SCHEMA)
received = Table(
    "webhooks_received",
    metadata,
    Column("webhook_id", Text, primary_key=True),
    Column("type", Text, nullable=False),
    Column("operator_id", Text, nullable=False),
    Column("times_received", Integer, nullable=False),
    Column("first_received_at", DateTime(timezone=True), nullable=False),
)
unlocks = Table(
    "unlocks",
    metadata,
    Column("operator_id", Text, primary_key=True),
    Column("jurisdiction", Text, primary_key=True),
    Column("tooling", ARRAY(Text), nullable=False),
    Column("release_id", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("unlocked_at", DateTime(timezone=True), nullable=False),
    Column("times_unlocked", Integer, nullable=False),
)


class Control(BaseModel):
    mode: Literal["ok", "fail_500", "reject_signature", "gone"] = "ok"
    delay_s: float = Field(default=0.0, ge=0, le=60)


def _router(settings: PortalSettings) -> APIRouter:
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
            await _record(runtime, session, headers["webhook-id"], body)
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
            rows = (await session.execute(select(unlocks).order_by(unlocks.c.operator_id))).all()
            seen = {
                r.webhook_id: r.times_received
                for r in (await session.execute(select(received))).all()
            }
        return [
            {
                **row._asdict(),
                "unlocked_at": row.unlocked_at.isoformat(),
                "deliveries": seen.get(row.release_id, 0),
            }
            for row in rows
        ]

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request) -> str:
        return unlocks_page(await list_unlocks(request))

    return router


#: The page's columns: (key in an `/unlocks` row, heading).
PAGE_COLUMNS = (
    ("operator_id", "operator"),
    ("jurisdiction", "jurisdiction"),
    ("tooling", "tooling"),
    ("state", "state"),
    ("reason", "reason"),
    ("unlocked_at", "unlocked at"),
    ("deliveries", "deliveries"),
)


def unlocks_page(rows: list[dict[str, Any]]) -> str:
    """The portal's `/` page: one table row per operator and jurisdiction, every value escaped."""
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in PAGE_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row[key])}</td>" for key, _ in PAGE_COLUMNS) + "</tr>"
        for row in rows
    )
    return (
        "<!doctype html><title>Reference portal</title><h1>Unlocked licensing tooling</h1>"
        f"<table border=1><tr>{head}</tr>{body}</table>"
    )


def _cell(value: Any) -> str:
    """A value as escaped text; tooling (a list) as its names, comma-separated."""
    if isinstance(value, list | tuple):
        return ", ".join(html.escape(str(item)) for item in value)
    return html.escape(str(value))


def _verify(verifiers: list[Webhook], body: bytes, headers: dict[str, str]) -> Any:
    for verifier in verifiers:
        try:
            return verifier.verify(body, headers)
        except WebhookVerificationError:
            continue
    return None


async def _record(runtime: ServiceRuntime, session: Any, webhook_id: str, body: bytes) -> None:
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
        return  # duplicate delivery: acknowledged, applied once
    data = message.data
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
    else:
        event = NoticeReceived(
            webhook_id=webhook_id,
            webhook_type=message.type,
            operator_id=operator,
            jurisdiction=data.jurisdiction,
            received_at=now,
        )
    await runtime.emit(session, runtime.envelope(event, tenant=operator, subject=webhook_id))


def _parse(body: bytes) -> Any:
    from pydantic import TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(webhooks.WebhookMessage)
    try:
        return adapter.validate_json(body)
    except ValueError as exc:
        raise HTTPException(400, f"body is not a known webhook: {exc}") from exc


def create(settings: PortalSettings) -> tuple[FastAPI, ServiceRuntime]:
    runtime = ServiceRuntime(settings, schema=SCHEMA, metadata=metadata, produces=[topics.PORTAL])
    app = build_app(
        runtime,
        title="Reference partner portal",
        description="Verifies Licensing Academy webhooks and records tooling unlocks.",
        routers=[_router(settings)],
    )
    return app, runtime


async def create_schema(runtime: ServiceRuntime) -> None:
    """The reference portal is not a service with a migration history; it creates its tables."""
    from sqlalchemy import text

    async with runtime.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        await conn.execute(text("SELECT pg_advisory_xact_lock(424242)"))
        exists = await conn.scalar(text("SELECT to_regclass('portal.outbox') IS NOT NULL"))
        if not exists:
            await conn.run_sync(lambda c: create_runtime_tables(c, SCHEMA))
        await conn.run_sync(lambda c: metadata.create_all(c, tables=[received, unlocks]))
