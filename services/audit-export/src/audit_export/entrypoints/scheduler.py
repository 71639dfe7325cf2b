"""The nightly scheduler: a background task that runs an export pass every poll interval."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from academy_runtime.loops import every
from audit_export.adapters.unit_of_work import audit_units
from audit_export.entrypoints.deps import Wiring
from audit_export.service.exports import PassReport, run_pass
from audit_export.service.status import discover_operators, refresh_metrics

log = logging.getLogger(__name__)


async def run_once(wiring: Wiring) -> PassReport:
    """One pass over every operator (targets and log), then fresh gauges."""
    units = audit_units(wiring.runtime)
    async with units() as uow:
        operators, without_target = await discover_operators(uow, wiring.targets)
    report = await run_pass(wiring.exporter, operators)
    if report.built or report.delivered or report.failed or report.errors:
        log.info(
            "export pass",
            extra={
                "due_through": report.due.isoformat(),
                "built": len(report.built),
                "delivered": len(report.delivered),
                "failed": len(report.failed),
                "errors": len(report.errors),
                "skipped": len(report.skipped),
            },
        )
    async with units() as uow:
        await refresh_metrics(
            uow,
            wiring.metrics,
            wiring.targets,
            without_target=len(without_target),
            now=wiring.clock(),
        )
    return report


def scheduler_loop(
    wiring: Wiring, *, interval_s: float
) -> Callable[[asyncio.Event], Awaitable[None]]:
    """Every `interval_s`: deliver what is due (new days after the export time, retries)."""

    async def export_pass() -> None:
        await run_once(wiring)

    async def loop(stop: asyncio.Event) -> None:
        await every(stop, interval_s, export_pass, name="export pass")

    return loop
