"""Builders and probes for the catalogue integration tests (plain functions, no shared state)."""

import asyncio
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI
from sqlalchemy import select

from academy_runtime.service import ServiceRuntime
from catalogue.adapters.orm import outbox
from catalogue.adapters.unit_of_work import catalogue_units
from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain.content import resolve
from catalogue.domain.resolved import ResolvedCatalogue
from catalogue.service.publishing import PublishResult, publish
from contracts import Envelope, decode

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ISSUER = "http://issuer.catalogue.test"

#: A lesson of an MGA-only module used by three MGA tracks (not by customer_support).
MGA_LESSON = "jurisdictions/MGA/modules/mga-aml-cft/lessons/02-fiau-reporting-and-supervision.md"
MGA_MODULE_TRACKS = {"MGA.compliance_officer", "MGA.mlro", "MGA.kyc_analyst"}
#: A core lesson no jurisdiction overrides, in a module only some tracks teach.
CORE_RG_LESSON = "core/modules/responsible-gambling/lessons/01-recognising-harm.md"


@dataclass
class ReadApi:
    """The app under test, its runtime (to publish with) and a client with a valid token."""

    app: FastAPI
    runtime: ServiceRuntime
    client: httpx.AsyncClient


def copy_bundled(tmp_path: Path, name: str = "content") -> Path:
    target = tmp_path / name
    shutil.copytree(BUNDLED_CONTENT_DIR, target)
    return target


def append(root: Path, relative: str, text: str) -> None:
    path = root / relative
    assert path.exists(), path
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{text}\n")


def replace(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} not in {relative}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


async def publish_dir(
    runtime: ServiceRuntime, root: Path, *, now: datetime = T0, publisher: str = "test"
) -> PublishResult:
    return await publish_catalogue(
        runtime, resolve(root), source=str(root), publisher=publisher, now=now
    )


async def publish_catalogue(
    runtime: ServiceRuntime,
    catalogue: ResolvedCatalogue,
    *,
    source: str = "t",
    publisher: str = "t",
    now: datetime = T0,
) -> PublishResult:
    """Publish in one unit of work opened the way the `publish` command opens it."""
    async with catalogue_units(runtime)() as uow:
        return await publish(catalogue, uow=uow, source=source, publisher=publisher, now=now)


async def staged(runtime: ServiceRuntime) -> list[Envelope[Any]]:
    """Every event in the catalogue outbox, oldest first, decoded as a consumer would."""
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(outbox.c.headers, outbox.c.payload).order_by(outbox.c.id)
        )
        return [decode(row.headers, row.payload) for row in rows]


async def read_topic(
    bootstrap: str, topic: str, *, count: int, timeout_s: float = 30.0, settle_s: float = 1.5
) -> list[Any]:
    """Every record on `topic` from the start: waits for `count`, then `settle_s` for extras."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    records: list[Any] = []
    loop = asyncio.get_running_loop()
    try:
        deadline = loop.time() + timeout_s
        while len(records) < count and loop.time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=300)).values():
                records.extend(batch)
        quiet_until = loop.time() + settle_s
        while loop.time() < quiet_until:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return sorted(records, key=lambda r: (r.partition, r.offset))
