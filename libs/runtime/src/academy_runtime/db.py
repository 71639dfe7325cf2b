"""Async SQLAlchemy engine and sessions; each service owns one Postgres schema."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
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
    return create_async_engine(
        async_url(settings.database_url.get_secret_value()),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        connect_args={"server_settings": {"search_path": f"{schema},public"}},
    )


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
