"""Background loops run by the ServiceRuntime: the delivery worker and the reconciler."""

import asyncio
from datetime import timedelta

from academy_runtime.loops import every
from contracts.clock import Clock
from release_bridge.adapters.metrics import BridgeMetrics
from release_bridge.adapters.unit_of_work import Units
from release_bridge.service.delivery import DeliveryWorker
from release_bridge.service.reconciler import reconcile_once
from release_bridge.service.releases import DecisionContext


class DeliveryLoop:
    """Delivery rounds until stopped; sleeps when nothing is due or the breaker refuses.

    `wake` (set by the NOTIFY listener when a webhook is queued) ends an idle sleep early, so
    a decision is delivered at once instead of at the next poll.
    """

    def __init__(
        self,
        worker: DeliveryWorker,
        *,
        poll_interval_s: float,
        clock: Clock,
        wake: asyncio.Event | None = None,
    ) -> None:
        self._worker = worker
        self._poll = poll_interval_s
        self._clock = clock
        self._wake = wake if wake is not None else asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        await every(
            stop,
            self._poll,
            self._round,
            name="delivery round",
            backoff_s=max(self._poll, 1.0),
            wake=self._wake,
        )

    async def _round(self) -> float | None:
        """One delivery round; returns how long to wait (None: the poll, cut short by `wake`)."""
        result = await self._worker.run_once()
        if result.sent:
            return 0.0
        if result.refused_until is not None:
            until = (result.refused_until - self._clock()).total_seconds()
            return min(max(until, 0.05), self._poll * 5)
        return None


class ReconcileLoop:
    """The silent-failure detector plus lapse re-checks; refreshes the gauges every pass."""

    def __init__(
        self,
        units: Units,
        metrics: BridgeMetrics,
        *,
        endpoint: str,
        slo: timedelta,
        interval_s: float,
        clock: Clock,
    ) -> None:
        self._units = units
        self._metrics = metrics
        self._endpoint = endpoint
        self._slo = slo
        self._interval = interval_s
        self._clock = clock

    async def run_once(self) -> None:
        async with self._units() as unit:
            snapshot = await reconcile_once(
                unit, DecisionContext(endpoint=self._endpoint, now=self._clock()), slo=self._slo
            )
        self._metrics.show_snapshot(snapshot)

    async def run(self, stop: asyncio.Event) -> None:
        await every(stop, self._interval, self.run_once, name="reconcile pass")
