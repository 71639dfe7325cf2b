"""The Alembic history builds exactly the tables the code maps."""

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from academy_runtime.db import async_url
from release_bridge.adapters.orm import SCHEMA, metadata

pytestmark = pytest.mark.integration


async def test_migrated_schema_matches_the_orm_tables(database_url: str) -> None:
    def ours(name: str | None, kind: str, _parent: object) -> bool:
        if kind == "schema":
            return name == SCHEMA
        return not (kind == "table" and name == "alembic_version")

    def diff(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "include_name": ours,
                "compare_type": True,
            },
        )
        return list(compare_metadata(context, metadata))

    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(diff)
    finally:
        await engine.dispose()

    assert differences == []
