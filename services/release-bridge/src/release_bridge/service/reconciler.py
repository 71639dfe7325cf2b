"""The silent-failure detector: releases due versus releases the portal acknowledged.

Every replica runs it and reads the same rows, so every replica reports the same gauges; the
alert rules take the maximum over replicas.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from release_bridge.domain.breaker_state import BreakerRecord
from release_bridge.domain.reconcile import ReconcileReport, reconcile
from release_bridge.service.ports import DeliveryStatus, Unit
from release_bridge.service.releases import DecisionContext, recheck_due

log = logging.getLogger(__name__)

#: Enough to find the oldest and the overdue ones; the count comes from SQL separately.
MAX_PENDING_ROWS = 1000


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the gauges show after one reconcile pass (`unacknowledged` counts every row)."""

    report: ReconcileReport
    unacknowledged: int
    statuses: dict[DeliveryStatus, int]
    breakers: tuple[BreakerRecord, ...]
    rechecked: int


async def reconcile_once(unit: Unit, ctx: DecisionContext, *, slo: timedelta) -> Snapshot:
    rechecked = await recheck_due(unit, ctx)
    pending, total = await unit.deliveries.unacknowledged_releases(
        ctx.endpoint, limit=MAX_PENDING_ROWS
    )
    report = reconcile(pending, now=ctx.now, slo=slo)
    statuses = await unit.deliveries.status_counts(ctx.endpoint)
    states = tuple(await unit.breakers.all())
    for overdue in report.overdue[:20]:
        log.error(
            "release %s not acknowledged after %s (SLO %s)",
            overdue.release_id,
            overdue.age,
            slo,
            extra={
                "release_id": overdue.release_id,
                "operator_id": overdue.operator_id,
                "jurisdiction": overdue.jurisdiction,
                "age_s": overdue.age.total_seconds(),
            },
        )
    return Snapshot(report, max(total, report.unacknowledged), statuses, states, rechecked)
