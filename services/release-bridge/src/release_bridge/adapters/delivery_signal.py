"""Wake delivery loops when a webhook is queued: Postgres NOTIFY at commit, LISTEN on every replica.

Without it a decided release waits for the next poll (`DELIVERY_POLL_INTERVAL_S`); with it the
delivery goes out within milliseconds of the decision's commit, on whichever replica is idle.
The poll stays as the fallback for retries that come due and for a lost listener connection.
"""

import asyncio
from typing import Final

from academy_runtime import listen as pg_listen

#: NOTIFY channel; the payload is the endpoint name (one notification per queueing commit).
CHANNEL: Final = "release_bridge_deliveries"


async def listen(dsn: str, wake: asyncio.Event, stop: asyncio.Event) -> None:
    """Set `wake` on every queued delivery until `stop` (the runtime's listener on `CHANNEL`)."""
    await pg_listen.listen(dsn, CHANNEL, wake=wake, stop=stop)
