"""Background work of the service: the catalogue subscriber and the scheduler loop (thin)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from academy_runtime.loops import every
from academy_runtime.routes import Route, on
from assessment.adapters.unit_of_work import SqlAssessmentUnit, assessment_units
from assessment.entrypoints.deps import Wiring
from assessment.service import catalogue, scheduler
from contracts.catalogue import JurisdictionAdded, ReleasePolicyPublished, TrackPublished

log = logging.getLogger(__name__)


def catalogue_routes() -> list[Route[SqlAssessmentUnit]]:
    """Catalogue events, applied in the consumer's inbox transaction."""
    return [
        on(TrackPublished, catalogue.track_published),
        on(ReleasePolicyPublished, catalogue.release_policy_published),
        on(JurisdictionAdded, catalogue.jurisdiction_added),
    ]


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
