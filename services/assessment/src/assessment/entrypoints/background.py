"""Background work of the service: the catalogue subscriber and the scheduler loop (thin)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from academy_runtime.consumer import Handler
from academy_runtime.loops import every
from assessment.adapters.unit_of_work import assessment_units
from assessment.entrypoints.deps import Wiring
from assessment.service import scheduler
from assessment.service.catalogue import apply_catalogue_event

log = logging.getLogger(__name__)


def catalogue_handler(wiring: Wiring) -> Handler:
    """Applies catalogue events in the idempotent consumer's inbox transaction."""
    return assessment_units(wiring.runtime).consumer(apply_catalogue_event)


def scheduler_loop(
    wiring: Wiring, *, interval_s: float, batch_size: int
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """Every `interval_s`: close overdue attempts, then send due expiry notices."""

    units = assessment_units(wiring.runtime)

    async def scheduler_pass() -> None:
        staged = await scheduler.run_once(
            units, now=wiring.clock(), rules=wiring.rules, batch_size=batch_size
        )
        if staged:
            log.info("scheduler staged events", extra={"events": staged})

    async def loop(stop: asyncio.Event) -> None:
        await every(stop, interval_s, scheduler_pass, name="scheduler pass")

    return loop
