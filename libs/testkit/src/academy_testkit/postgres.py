"""Find or start a Postgres server, and create throw-away databases on it."""

import asyncio
import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from academy_runtime import db

LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _reachable(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def embedded(data_dir: Path) -> tuple[str, Any]:
    """Start (or reuse) an embedded server from PyPI `pgserver`; returns (url, handle)."""
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")  # type: ignore[attr-defined]
    return server.get_uri("postgres"), server


def server_url(*, prefer_local: bool, data_dir: Path) -> tuple[str, Any]:
    """DATABASE_URL if set; else 127.0.0.1:5432 if `prefer_local` and reachable; else embedded."""
    if url := os.environ.get("DATABASE_URL"):
        return url, None
    if prefer_local and _reachable("127.0.0.1", 5432):
        return LOCAL_URL, None
    return embedded(data_dir)


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


#: The URL for asyncpg itself (postgresql://…), as the runtime writes it.
plain = db.plain_dsn


async def _admin(url: str, statement: str) -> None:
    conn = await asyncpg.connect(plain(with_database(url, "postgres")))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def create_database(url: str, name: str, *, exist_ok: bool = False) -> str:
    async def run() -> None:
        try:
            await _admin(url, f'CREATE DATABASE "{name}"')
        except asyncpg.DuplicateDatabaseError:
            if not exist_ok:
                raise

    asyncio.run(run())
    return with_database(url, name)


def drop_database(url: str, name: str) -> None:
    asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
