"""Waiting for a condition in tests: poll it until it holds, or fail naming what never came."""

import asyncio
import inspect
from collections.abc import Callable
from typing import Any


async def until(
    check: Callable[[], Any], what: str, *, within: float = 60.0, interval: float = 0.2
) -> Any:
    """Call `check` (plain or async) until it answers something truthy, and return that; after
    `within` seconds fail with `what` in the message. A condition, never a fixed sleep."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        found = check()
        if inspect.isawaitable(found):
            found = await found
        if found:
            return found
        if loop.time() >= deadline:
            raise AssertionError(f"timed out after {within:g}s waiting for {what}")
        await asyncio.sleep(interval)
