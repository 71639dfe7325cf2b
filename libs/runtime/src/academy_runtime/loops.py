"""Background loops: run a step every interval until stop, backing off (capped) after failures.

Every service's pollers, relays and schedulers run through `every`, so stopping, logging a
failed step and waiting after it work the same everywhere.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

#: One round of a loop; returns the seconds to wait before the next (0: at once), or None for
#: the loop's interval (which `wake` can cut short).
Step = Callable[[], Awaitable[float | None]]
#: Waits up to the given seconds or until stop or wake; True when stop is set.
Wait = Callable[[asyncio.Event, float, asyncio.Event | None], Awaitable[bool]]


async def sleep_or_stop(
    stop: asyncio.Event, seconds: float, wake: asyncio.Event | None = None
) -> bool:
    """Wait `seconds`, less if `stop` (or `wake`) is set first; True when `stop` is set."""
    if stop.is_set():
        return True
    waiters = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waiters.append(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waiters, timeout=max(seconds, 0.0), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    return stop.is_set()


def backoff_delays(first_s: float, max_s: float) -> Callable[[int], float]:
    """Delay after the n-th failure in a row (n from 1): first_s, doubling, capped at max_s."""
    return lambda failures: min(first_s * 2 ** (failures - 1), max_s)


async def every(
    stop: asyncio.Event,
    interval_s: float,
    step: Step,
    *,
    name: str,
    backoff_s: float | None = None,
    max_backoff_s: float | None = None,
    wake: asyncio.Event | None = None,
    traceback: bool = True,
    wait: Wait = sleep_or_stop,
) -> None:
    """Run `step` until `stop` is set: waits `interval_s` between rounds (or what `step` returns).

    A failing step is logged as "`name` failed" and the loop waits `backoff_s` (default: the
    interval), doubling with each failure in a row up to `max_backoff_s` (default: no growth);
    a success resets it. `wake` set (e.g. by a NOTIFY) ends an interval's wait early; it is
    cleared before each step, so work queued during a step is never missed. `traceback=False`
    logs expected failures (a broker or database away) as one warning line.
    """
    first = interval_s if backoff_s is None else backoff_s
    delay_after = backoff_delays(first, first if max_backoff_s is None else max_backoff_s)
    failures = 0
    while not stop.is_set():
        if wake is not None:
            wake.clear()
        try:
            pause = await step()
            failures = 0
        except Exception as exc:
            failures += 1
            delay = delay_after(failures)
            if traceback:
                log.exception("%s failed; retrying in %.1fs", name, delay)
            else:
                log.warning(
                    "%s failed; retrying in %.1fs: %s", name, delay, exc, extra={"error": repr(exc)}
                )
            if await wait(stop, delay, None):
                return
            continue
        if pause is None:
            if await wait(stop, interval_s, wake):
                return
        elif pause > 0 and await wait(stop, pause, None):
            return
