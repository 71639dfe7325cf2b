"""Server-Sent Events for the portal page: the webhook handler tells every open page of the
operator that its tooling changed, once its transaction has committed.

A fan-out in the portal's event loop (one process; replicas would need LISTEN/NOTIFY). Each
stream first subscribes, then sends `ready`, so a page that re-reads its tooling on `ready`
misses nothing; it ends after `lifetime_s`, and the browser's EventSource reconnects (after
`retry`), which re-checks the session and keeps a server shutdown from waiting on open pages.
"""

import asyncio
import json
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ToolingChanged:
    operator_id: str
    jurisdiction: str
    state: str  # "unlocked" or "locked"


@dataclass(eq=False)
class _Subscriber:
    operator_id: str | None  # None: every operator (vendor support)
    queue: asyncio.Queue[ToolingChanged]


class Fanout:
    """Open streams by operator; `publish` never blocks (a full queue drops its oldest change:
    the page re-reads all its tooling on any change anyway)."""

    def __init__(self, *, queue_size: int = 64) -> None:
        self._queue_size = queue_size
        self._subscribers: set[_Subscriber] = set()

    @contextmanager
    def subscribe(self, operator_id: str | None) -> Iterator[asyncio.Queue[ToolingChanged]]:
        subscriber = _Subscriber(operator_id, asyncio.Queue(self._queue_size))
        self._subscribers.add(subscriber)
        try:
            yield subscriber.queue
        finally:
            self._subscribers.discard(subscriber)

    def publish(self, change: ToolingChanged) -> int:
        """Hand `change` to every stream of its operator; returns how many got it."""
        reached = 0
        for subscriber in list(self._subscribers):
            if subscriber.operator_id not in (None, change.operator_id):
                continue
            if subscriber.queue.full():
                subscriber.queue.get_nowait()
            subscriber.queue.put_nowait(change)
            reached += 1
        return reached

    def __len__(self) -> int:
        return len(self._subscribers)


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def tooling_stream(
    fanout: Fanout,
    operator_id: str | None,
    *,
    lifetime_s: float = 15.0,
    heartbeat_s: float = 5.0,
    retry_ms: int = 1000,
) -> AsyncGenerator[str, None]:
    """`ready` once subscribed, then a `tooling` event per change, a comment as heartbeat."""
    loop = asyncio.get_running_loop()
    with fanout.subscribe(operator_id) as queue:
        yield f"retry: {retry_ms}\n" + sse("ready", {"operator_id": operator_id})
        deadline = loop.time() + lifetime_s
        while (left := deadline - loop.time()) > 0:
            try:
                async with asyncio.timeout(min(left, heartbeat_s)):
                    change = await queue.get()
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            yield sse("tooling", asdict(change))
