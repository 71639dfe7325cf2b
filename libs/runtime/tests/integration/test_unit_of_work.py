"""The runtime's one way to open a unit of work, against real Postgres: routes and consumers."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from sqlalchemy import Column, MetaData, Table, Text, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from academy_runtime.migrations import create_runtime_tables
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from academy_runtime.uow import UnitOfWork, UnitsOfWork, unit_of_work
from contracts import Envelope, decode
from contracts.assessment import OperatorJurisdictionsSet

pytestmark = pytest.mark.integration


class NoteUnit(UnitOfWork):
    """A service's unit: the runtime's session and event sink plus one store of its own."""

    def __init__(self, runtime: ServiceRuntime, session: AsyncSession) -> None:
        super().__init__(runtime, session)
        self.notes = NoteStore(session, runtime.metadata.tables[f"{runtime.schema}.notes"])


class NoteStore:
    def __init__(self, session: AsyncSession, table: Table) -> None:
        self._session = session
        self._table = table

    async def add(self, note: str) -> None:
        await self._session.execute(insert(self._table).values(note=note))

    async def count(self) -> int:
        return int(await self._session.scalar(select(func.count()).select_from(self._table)) or 0)


Uow = Annotated[NoteUnit, unit_of_work(NoteUnit)]


def _event(actor: str) -> OperatorJurisdictionsSet:
    return OperatorJurisdictionsSet(
        operator_id="op-1", jurisdictions=["MGA"], actor=actor, set_at=datetime.now(UTC)
    )


@pytest.fixture
async def runtime(make_settings) -> AsyncIterator[ServiceRuntime]:  # type: ignore[no-untyped-def]
    schema = f"uow_{uuid.uuid4().hex[:6]}"
    metadata = MetaData(schema=schema)
    Table("notes", metadata, Column("note", Text, primary_key=True))
    runtime = ServiceRuntime(make_settings(ServiceSettings), schema=schema, metadata=metadata)
    async with runtime.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
        await conn.run_sync(lambda c: create_runtime_tables(c, schema))
        await conn.run_sync(lambda c: metadata.tables[f"{schema}.notes"].create(c))
    yield runtime
    await runtime.engine.dispose()


def _app(runtime: ServiceRuntime) -> FastAPI:
    app = FastAPI()
    app.state.runtime = runtime

    @app.post("/notes/{note}", status_code=201)
    async def add(note: str, uow: Uow) -> dict[str, Any]:
        await uow.notes.add(note)
        event = await uow.events.emit(_event(note), tenant="op-1", subject=note)
        if note == "refused":
            raise HTTPException(409, "refused after writing")
        return {"event_id": event.id}

    @app.get("/notes")
    async def count(uow: Uow) -> dict[str, int]:
        return {"count": await uow.notes.count()}

    return app


async def _staged(runtime: ServiceRuntime) -> list[Envelope[Any]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(runtime.outbox.c.headers, runtime.outbox.c.payload).order_by(runtime.outbox.c.id)
        )
        return [decode(row.headers, row.payload) for row in rows]


async def test_a_route_unit_commits_its_rows_and_events_before_the_response(
    runtime: ServiceRuntime,
) -> None:
    transport = httpx.ASGITransport(app=_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        added = await client.post("/notes/first")
        seen = await client.get("/notes")

    assert added.status_code == 201
    assert seen.json() == {"count": 1}
    staged = await _staged(runtime)
    assert [e.id for e in staged] == [added.json()["event_id"]]
    assert (staged[0].source, staged[0].tenantid, staged[0].subject) == (
        runtime.source,
        "op-1",
        "first",
    )


async def test_a_route_that_fails_after_writing_leaves_neither_rows_nor_events(
    runtime: ServiceRuntime,
) -> None:
    transport = httpx.ASGITransport(app=_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        refused = await client.post("/notes/refused")
        seen = await client.get("/notes")

    assert refused.status_code == 409
    assert seen.json() == {"count": 0}
    assert await _staged(runtime) == []


async def test_a_consumer_unit_shares_the_transaction_the_consumer_opened(
    runtime: ServiceRuntime,
) -> None:
    units = UnitsOfWork(runtime, NoteUnit)

    async def handle(envelope: Envelope[Any], uow: NoteUnit) -> None:
        await uow.notes.add(envelope.id)

    async def on_message(envelope: Envelope[Any], session: AsyncSession) -> None:
        await handle(envelope, units.bind(session))  # as the consumer binds its routes' unit

    envelope = runtime.envelope(_event("consumed"), tenant="op-1")

    async def consume_then_fail() -> None:
        async with runtime.sessions() as session, session.begin():
            await on_message(envelope, session)
            raise RuntimeError("inbox write failed")  # the consumer's transaction decides

    with pytest.raises(RuntimeError, match="inbox write failed"):
        await consume_then_fail()
    async with units() as uow:
        assert await uow.notes.count() == 0
    async with runtime.sessions() as session, session.begin():
        await on_message(envelope, session)
    async with units() as uow:
        assert await uow.notes.count() == 1
