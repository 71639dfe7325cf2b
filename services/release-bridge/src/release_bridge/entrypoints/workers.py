"""Background loops run by the ServiceRuntime: the delivery worker and the reconciler."""

import asyncio
import contextlib
import logging
from datetime import timedelta

from contracts.clock import Clock
from release_bridge.adapters.metrics import BridgeMetrics
from release_bridge.adapters.unit_of_work import Units
from release_bridge.service.delivery import DeliveryWorker
from release_bridge.service.reconciler import reconcile_once
from release_bridge.service.releases import Context

log = logging.getLogger(__name__)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0.0))


async def _pause_or_wake(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    """Sleep until `seconds` pass, `stop` is set, or `wake` is set (new work was queued)."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=max(seconds, 0.0), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


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
        while not stop.is_set():
            self._wake.clear()  # set again by anything queued from now on
            try:
                result = await self._worker.run_once()
            except Exception:
                log.exception("delivery round failed; retrying")
                await _pause(stop, max(self._poll, 1.0))
                continue
            if result.sent:
                continue
            if result.refused_until is not None:
                until = (result.refused_until - self._clock()).total_seconds()
                await _pause(stop, min(max(until, 0.05), self._poll * 5))
                continue
            await _pause_or_wake(stop, self._wake, self._poll)


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
                unit, Context(endpoint=self._endpoint, now=self._clock()), slo=self._slo
            )
        self._metrics.show_snapshot(snapshot)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("reconcile pass failed; retrying")
            await _pause(stop, self._interval)
