"""One Alembic history per service, each in its own Postgres schema."""

import asyncio
import zlib
from importlib.metadata import entry_points
from importlib.resources import files
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from academy_runtime.db import async_url
from academy_runtime.tables import inbox_table, notify_trigger_sql, outbox_table


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", async_url(database_url).replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    """Apply migrations (sync; call from a CLI or a worker thread, not inside a loop)."""
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


#: Each service names its package here (`[project.entry-points."academy.migrations"]`), so a
#: tool can migrate every installed service without importing (or knowing) any of them.
ENTRY_POINT_GROUP = "academy.migrations"


def installed() -> dict[str, Path]:
    """The migrations folder (`<package>/migrations`, package data) of every installed service,
    by service name, in name order."""
    found = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        folder = Path(str(files(entry.value) / "migrations"))
        if not (folder / "env.py").is_file():
            raise FileNotFoundError(f"{entry.name}: no migrations at {folder}")
        found[entry.name] = folder
    return dict(sorted(found.items()))


def upgrade_installed(database_url: str) -> None:
    """Apply every installed service's migrations (each in its own schema)."""
    for folder in installed().values():
        upgrade(folder, database_url)


def run_env(target_metadata: MetaData, schema: str) -> None:
    """Body of every service's migrations/env.py (online mode, asyncpg)."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url not configured"

    def include_name(name: str | None, type_: str, _parent: object) -> bool:
        return type_ != "schema" or name == schema

    def run(connection: Connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(schema)})
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=include_name,
            compare_type=True,
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.begin() as conn:
            await conn.run_sync(run)
        await engine.dispose()

    asyncio.run(main())


def create_runtime_tables(connection: Connection, schema: str) -> None:
    """Used by each service's first migration: outbox (with NOTIFY trigger) and inbox."""
    metadata = MetaData(schema=schema)
    outbox_table(metadata)
    inbox_table(metadata)
    metadata.create_all(connection)
    for statement in notify_trigger_sql(schema):
        connection.execute(text(statement))


def _lock_key(schema: str) -> int:
    return zlib.crc32(f"migrate:{schema}".encode())
