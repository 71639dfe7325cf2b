"""Async SQLAlchemy engine and sessions; each service owns one Postgres schema."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from academy_runtime.settings import ServiceSettings


def async_url(url: str) -> str:
    """Accept plain postgresql:// URLs too and use the asyncpg driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def plain_dsn(url: str) -> str:
    """The same URL for asyncpg itself (LISTEN connections, COPY): postgresql://…"""
    return async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


def make_engine(settings: ServiceSettings, *, schema: str) -> AsyncEngine:
    engine = create_async_engine(
        async_url(settings.database_url.get_secret_value()),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        connect_args={
            "server_settings": {
                "search_path": f"{schema},public",
                "application_name": settings.service_name,  # pg_stat_activity names the service
            }
        },
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    return engine


def _refuse_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Pre-ping without a round trip: a closed connection, or one of another event loop.

    SQLAlchemy's pre-ping costs three round trips (BEGIN, ping, ROLLBACK) on every checkout;
    asyncpg already notices the server closing the socket (pg_terminate_backend), and the pool
    replaces a connection refused here with a fresh one.
    """
    connection = dbapi_connection.driver_connection
    if connection.is_closed():
        raise exc.DisconnectionError("connection closed by the server")
    if getattr(connection, "_loop", None) is not asyncio.get_running_loop():
        raise exc.DisconnectionError("connection opened on another event loop")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any exception."""
    async with sessions() as session, session.begin():
        yield session


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
