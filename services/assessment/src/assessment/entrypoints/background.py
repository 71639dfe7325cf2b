"""Background work of the service: the catalogue subscriber and the scheduler loop (thin)."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.entrypoints.deps import Wiring
from assessment.service import scheduler
from assessment.service.catalogue import apply_catalogue_event
from contracts import Envelope

log = logging.getLogger(__name__)


def catalogue_handler(wiring: Wiring) -> Callable[[Envelope[Any], AsyncSession], Awaitable[None]]:
    async def handle(envelope: Envelope[Any], session: AsyncSession) -> None:
        await apply_catalogue_event(envelope, session, tracks=wiring.tracks)

    return handle


def scheduler_loop(
    wiring: Wiring, *, interval_s: float, batch_size: int
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """Every `interval_s`: close overdue attempts, then send due expiry notices."""

    async def loop(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                staged = await scheduler.run_once(
                    wiring.runtime.sessions,
                    events=wiring.runtime,
                    tracks=wiring.tracks,
                    now=wiring.clock(),
                    rules=wiring.rules,
                    batch_size=batch_size,
                )
                if staged:
                    log.info("scheduler staged events", extra={"events": staged})
            except Exception:
                log.exception("scheduler pass failed; retrying next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)

    return loop
