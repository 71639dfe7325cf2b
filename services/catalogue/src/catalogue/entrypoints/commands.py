"""The async bodies of `academy catalogue publish|diff|versions` (typer wiring is in cli.py)."""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from academy_runtime.service import ServiceRuntime
from catalogue.adapters.store import count_unsent
from catalogue.adapters.unit_of_work import catalogue_units
from catalogue.app import build_runtime
from catalogue.domain.content import resolve
from catalogue.domain.diff import Change, diff
from catalogue.domain.history import Publication
from catalogue.domain.resolved import ResolvedCatalogue
from catalogue.domain.versions import short
from catalogue.service.catalogue_cache import CatalogueCache
from catalogue.service.publishing import PublishResult, publish
from catalogue.service.refs import load_published, recent_publications
from catalogue.settings import CatalogueSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    result: PublishResult
    relayed: bool
    unsent: int
    relay_error: str | None = None


async def run_publish(
    settings: CatalogueSettings,
    catalogue: ResolvedCatalogue,
    *,
    source: str,
    publisher: str,
    relay: bool,
    relay_timeout_s: float,
) -> Published:
    runtime = build_runtime(settings)
    try:
        async with catalogue_units(runtime)() as uow:
            result = await publish(
                catalogue, uow=uow, source=source, publisher=publisher, now=runtime.clock.now()
            )
        if not (relay and result.events):
            return Published(result, relayed=False, unsent=len(result.events))
        ids = [e.id for e in result.events]
        try:
            unsent = await relay_events(runtime, ids, timeout_s=relay_timeout_s)
        except Exception as exc:  # committed already: the events wait in the outbox
            error = f"cannot reach Kafka at {settings.kafka_bootstrap_servers}: {exc}"
            return Published(result, relayed=True, unsent=len(ids), relay_error=error)
        return Published(result, relayed=True, unsent=unsent)
    finally:
        await runtime.engine.dispose()


async def relay_events(
    runtime: ServiceRuntime, event_ids: Sequence[str], *, timeout_s: float
) -> int:
    """Run outbox relay passes until these events are acknowledged; returns how many are not.

    Passes take the relay's advisory lock, so a running catalogue service and this command
    never publish at the same time: whichever holds the lock sends everything pending, in order.
    Raises when the broker cannot be reached within `timeout_s`.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    await asyncio.wait_for(runtime.ensure_topics(), timeout=timeout_s)
    try:
        while True:
            try:
                await runtime.relay.relay_once()
            except Exception as exc:  # the relay keeps unsent rows; retry until the deadline
                log.warning("outbox relay pass failed: %s", exc)
            async with catalogue_units(runtime)() as uow:
                unsent = await count_unsent(uow.session, event_ids)
            if unsent == 0 or loop.time() >= deadline:
                return unsent
            await asyncio.sleep(0.2)
    finally:
        await runtime.relay_producer.stop()


@dataclass(frozen=True)
class Side:
    """One side of a diff: a published version or a content directory."""

    label: str
    catalogue: ResolvedCatalogue
    publication: Publication | None = None


def directory_side(path: Path) -> Side:
    """Raises ContentInvalid when the directory does not validate."""
    catalogue = resolve(path)
    return Side(f"{path} ({short(catalogue.version)}, not published)", catalogue)


async def published_sides(settings: CatalogueSettings, refs: Sequence[str]) -> list[Side]:
    runtime = build_runtime(settings)
    cache = CatalogueCache(size=len(refs) or 1)
    try:
        sides = []
        for ref in refs:
            async with catalogue_units(runtime)() as uow:
                publication, catalogue = await load_published(ref, uow=uow, cache=cache)
            label = f"{short(publication.version)} (publication #{publication.seq})"
            sides.append(Side(label, catalogue, publication))
        return sides
    finally:
        await runtime.engine.dispose()


def changes_between(old: Side, new: Side) -> list[Change]:
    return diff(old.catalogue, new.catalogue)


async def run_versions(settings: CatalogueSettings, *, limit: int) -> list[Publication]:
    runtime = build_runtime(settings)
    try:
        async with catalogue_units(runtime)() as uow:
            return await recent_publications(uow=uow, limit=limit)
    finally:
        await runtime.engine.dispose()
