"""Per-operator Postgres advisory locks: one replica at a time builds and delivers its packs.

A session-level lock on a connection held for the whole operator step; if the process dies,
Postgres drops the connection and the lock with it, so no lease or cleanup is needed.
"""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

NAMESPACE = "audit_export.operator"


@asynccontextmanager
async def operator_lock(
    engine: AsyncEngine, operator_id: str, *, wait: bool
) -> AsyncIterator[bool]:
    """Hold the operator's lock in the block; yields False (not held) if busy and not `wait`."""
    acquire = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
    params = {"ns": NAMESPACE, "op": operator_id}
    async with engine.connect() as conn:
        result = await conn.scalar(text(f"SELECT {acquire}(hashtext(:ns), hashtext(:op))"), params)
        held = True if wait else bool(result)
        await conn.commit()
        try:
            yield held
        finally:
            if held:
                await conn.execute(
                    text("SELECT pg_advisory_unlock(hashtext(:ns), hashtext(:op))"), params
                )
                await conn.commit()


class PgOperatorLocks:
    """Implements service.ports.OperatorLocks with Postgres advisory locks."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def hold(self, operator_id: str, *, wait: bool) -> AbstractAsyncContextManager[bool]:
        return operator_lock(self._engine, operator_id, wait=wait)
