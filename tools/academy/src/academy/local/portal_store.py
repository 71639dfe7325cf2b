"""The reference portal's tables (received webhooks, unlocks) and how its pages read them."""

from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime.migrations import create_runtime_tables
from academy_runtime.service import ServiceRuntime

SCHEMA = "portal"

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


async def unlock_rows(
    session: AsyncSession, *, operator_id: str | None = None
) -> list[dict[str, Any]]:
    """Unlocks (of one operator, or all) with how often their release's webhook arrived."""
    query = select(unlocks).order_by(unlocks.c.operator_id, unlocks.c.jurisdiction)
    if operator_id is not None:
        query = query.where(unlocks.c.operator_id == operator_id)
    rows = (await session.execute(query)).all()
    release_ids = [row.release_id for row in rows]
    deliveries = select(received.c.webhook_id, received.c.times_received).where(
        received.c.webhook_id.in_(release_ids)
    )
    seen = {row.webhook_id: row.times_received for row in await session.execute(deliveries)}
    return [
        {
            **row._asdict(),
            "unlocked_at": row.unlocked_at.isoformat(),
            "deliveries": seen.get(row.release_id, 0),
        }
        for row in rows
    ]


async def create_schema(runtime: ServiceRuntime) -> None:
    """The reference portal is not a service with a migration history; it creates its tables."""
    async with runtime.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        await conn.execute(text("SELECT pg_advisory_xact_lock(424242)"))
        exists = await conn.scalar(text("SELECT to_regclass('portal.outbox') IS NOT NULL"))
        if not exists:
            await conn.run_sync(lambda c: create_runtime_tables(c, SCHEMA))
        await conn.run_sync(lambda c: metadata.create_all(c, tables=[received, unlocks]))
