"""The Alembic history builds exactly the tables the code maps, and downgrades cleanly."""

import asyncio
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from academy_runtime import migrations
from academy_runtime.db import async_url
from catalogue.adapters.orm import SCHEMA, metadata
from catalogue.app import MIGRATIONS

pytestmark = pytest.mark.integration


async def _differences(url: str) -> list[Any]:
    def ours(name: str | None, kind: str, _parent: object) -> bool:
        if kind == "schema":
            return name == SCHEMA
        return not (kind == "table" and name == "alembic_version")

    def diff(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={"include_schemas": True, "include_name": ours, "compare_type": True},
        )
        return list(compare_metadata(context, metadata))

    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(diff)
    finally:
        await engine.dispose()


async def test_migrated_schema_matches_the_orm_tables(catalogue_db: str) -> None:
    assert await _differences(catalogue_db) == []


def test_downgrading_to_the_runtime_tables_and_back_rebuilds_the_same_schema(
    catalogue_db: str,
) -> None:
    config = migrations.alembic_config(MIGRATIONS, catalogue_db)

    command.downgrade(config, "0001")
    command.upgrade(config, "head")

    assert asyncio.run(_differences(catalogue_db)) == []
