"""The connection pool against real Postgres: bursts reuse the pool's backends, never churn them."""

import asyncio

import pytest
from sqlalchemy import text

from academy_runtime import db
from academy_runtime.settings import ServiceSettings

pytestmark = pytest.mark.integration


async def test_repeated_bursts_to_the_pool_ceiling_reuse_the_same_backends(make_settings) -> None:  # type: ignore[no-untyped-def]
    """With the default settings every burst is served by the same backends.

    SQLAlchemy closes an overflow connection as soon as it is returned, so a pool with
    overflow opened a new Postgres backend (a fork, authentication, statements prepared again)
    for each connection above the pool size in every burst.
    """
    settings = make_settings(ServiceSettings)
    ceiling = settings.db_pool_size + settings.db_max_overflow
    engine = db.make_engine(settings, schema="public")
    sessions = db.make_sessionmaker(engine)
    backends: set[int] = set()
    try:
        for _ in range(3):
            holding = asyncio.Barrier(ceiling)  # every unit of the burst holds a connection

            async def unit(barrier: asyncio.Barrier = holding) -> None:
                async with db.transaction(sessions) as session:
                    backends.add(int(await session.scalar(text("SELECT pg_backend_pid()")) or 0))
                    await asyncio.wait_for(barrier.wait(), timeout=10)

            await asyncio.gather(*(unit() for _ in range(ceiling)))
    finally:
        await engine.dispose()
    assert len(backends) == ceiling, f"{len(backends)} backends served 3 bursts of {ceiling}"
