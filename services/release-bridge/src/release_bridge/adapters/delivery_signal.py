"""Wake delivery loops when a webhook is queued: Postgres NOTIFY at commit, LISTEN on every replica.

Without it a decided release waits for the next poll (`DELIVERY_POLL_INTERVAL_S`); with it the
delivery goes out within milliseconds of the decision's commit, on whichever replica is idle.
The poll stays as the fallback for retries that come due and for a lost listener connection.
"""

import asyncio
import contextlib
import logging
from typing import Final

import asyncpg

log = logging.getLogger(__name__)

#: NOTIFY channel; the payload is the endpoint name (one notification per queueing commit).
CHANNEL: Final = "release_bridge_deliveries"


async def listen(dsn: str, wake: asyncio.Event, stop: asyncio.Event) -> None:
    """Set `wake` on every notification until `stop`; reconnects after connection loss."""
    while not stop.is_set():
        conn: asyncpg.Connection | None = None
        try:
            conn = await asyncpg.connect(dsn)
            await conn.add_listener(CHANNEL, lambda *_: wake.set())
            wake.set()  # anything queued while we were not listening
            while not conn.is_closed():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)
                    return
        except Exception as exc:
            log.debug("delivery listener reconnecting: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
        finally:
            if conn is not None and not conn.is_closed():
                await conn.close()
