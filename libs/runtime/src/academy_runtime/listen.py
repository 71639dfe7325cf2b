"""Postgres LISTEN: set an event on every NOTIFY of a channel, on every replica.

The outbox relay and the release bridge's delivery loop sleep until their interval or until a
commit NOTIFYs; a lost connection is retried every `retry_s`, and the polls cover the gap.
"""

import asyncio
import logging

import asyncpg

from academy_runtime.loops import sleep_or_stop

log = logging.getLogger(__name__)


async def listen(
    dsn: str, channel: str, *, wake: asyncio.Event, stop: asyncio.Event, retry_s: float = 1.0
) -> None:
    """Set `wake` on every notification on `channel` until `stop`; reconnects after a loss.

    `wake` is also set on each (re)connect: anything notified while not listening is picked up.
    """
    while not stop.is_set():
        conn: asyncpg.Connection | None = None
        try:
            conn = await asyncpg.connect(dsn)
            await conn.add_listener(channel, lambda *_: wake.set())
            wake.set()
            while not conn.is_closed():
                if await sleep_or_stop(stop, retry_s):
                    return
        except Exception as exc:
            log.debug("listener on %s reconnecting: %s", channel, exc)
            await sleep_or_stop(stop, retry_s)
        finally:
            if conn is not None and not conn.is_closed():
                await conn.close()
