"""The migration runs with only its database URL, and deploy/postgres/roles.sql splits the
migration role (owns the schemas) from the runtime role (rows only), on real Postgres."""

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner, Result

from academy.cli import app as academy
from academy_testkit import postgres

pytestmark = pytest.mark.integration

ROLES_SQL = Path(__file__).resolve().parents[1] / "postgres" / "roles.sql"


def _run(monkeypatch: pytest.MonkeyPatch, prefix: str, *args: str, url: str) -> Result:
    """`academy …` with no setting of the service but its database URL (production mode)."""
    for name in list(os.environ):
        if name.startswith(prefix):
            monkeypatch.delenv(name)
    return CliRunner().invoke(academy, list(args), env={f"{prefix}DATABASE_URL": url})


def _with_user(url: str, user: str) -> str:
    scheme, rest = postgres.plain(url).split("://", 1)
    return f"{scheme}://{user}:pw-{user}@{rest.split('@', 1)[-1]}"


@pytest.fixture
def fresh_database(pg_server: str) -> Iterator[str]:
    name = f"academy_roles_{uuid.uuid4().hex[:10]}"
    url = postgres.create_database(pg_server, name)
    yield url
    postgres.drop_database(pg_server, name)


def test_release_migrate_needs_only_the_database_url(
    fresh_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run(monkeypatch, "RELEASE_BRIDGE_", "release", "migrate", url=fresh_database)

    assert result.exit_code == 0, result.output
    assert "release-bridge: migrated to head" in result.stdout
    assert asyncio.run(_version(fresh_database, "release_bridge")) is not None


async def _version(url: str, schema: str) -> str | None:
    conn = await asyncpg.connect(postgres.plain(url))
    try:
        version: str | None = await conn.fetchval(
            f"SELECT version_num FROM {schema}.alembic_version"
        )
        return version
    finally:
        await conn.close()


def test_migrate_without_a_database_url_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(os.environ):
        if name.startswith("RELEASE_BRIDGE_"):
            monkeypatch.delenv(name)

    result = CliRunner().invoke(academy, ["release", "migrate"])

    assert result.exit_code == 2
    assert "RELEASE_BRIDGE_DATABASE_URL is required outside local/test" in result.stderr
    assert "Traceback" not in result.output


def test_migrate_against_an_unreachable_database_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nowhere = "postgresql://academy_migrator:s3cr3t@127.0.0.1:9/academy"

    result = _run(monkeypatch, "RELEASE_BRIDGE_", "release", "migrate", url=nowhere)

    assert result.exit_code == 1
    assert "release-bridge: migration failed: " in result.stderr
    assert "hint: check RELEASE_BRIDGE_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.output


async def _apply_roles(url: str, migrator: str, app: str) -> None:
    sql = ROLES_SQL.read_text().replace("academy_migrator", migrator)
    sql = sql.replace("academy_app", app)
    conn = await asyncpg.connect(postgres.plain(url))
    try:
        await conn.execute(sql)
        await conn.execute(sql)  # idempotent: a second run changes nothing and fails nothing
        for role in (migrator, app):
            await conn.execute(f"ALTER ROLE {role} PASSWORD 'pw-{role}'")
    finally:
        await conn.close()


async def _drop_roles(server: str, *roles: str) -> None:
    conn = await asyncpg.connect(postgres.plain(postgres.with_database(server, "postgres")))
    try:
        for role in roles:
            await conn.execute(f"DROP ROLE IF EXISTS {role}")
    finally:
        await conn.close()


async def _runtime_role_can_only_use_rows(url: str, migrator: str) -> None:
    conn = await asyncpg.connect(url, server_settings={"search_path": "catalogue,public"})
    try:
        owner = await conn.fetchval(
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'catalogue'"
        )
        assert owner == migrator
        event_id = await conn.fetchval(
            "INSERT INTO outbox (event_id, topic, key, headers, payload) "
            "VALUES ('e-1', 't', 'k', '{}', '\\x00') RETURNING event_id"
        )
        assert event_id == "e-1"
        await conn.execute("UPDATE outbox SET attempts = 1 WHERE event_id = 'e-1'")
        assert await conn.fetchval("SELECT attempts FROM outbox") == 1
        await conn.execute("DELETE FROM outbox")
        for ddl in (
            "CREATE TABLE catalogue.intruder (id int)",
            "CREATE TABLE public.intruder (id int)",
            "CREATE TABLE intruder (id int)",
            "DROP TABLE catalogue.outbox",
            "ALTER TABLE catalogue.outbox ADD COLUMN intruder int",
            "CREATE SCHEMA intruder",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(ddl)
    finally:
        await conn.close()


def test_migrator_owns_the_schema_and_the_runtime_role_reads_and_writes_only(
    pg_server: str, fresh_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    suffix = uuid.uuid4().hex[:8]
    migrator, app = f"academy_migrator_{suffix}", f"academy_app_{suffix}"
    asyncio.run(_apply_roles(fresh_database, migrator, app))
    try:
        migrated = _run(
            monkeypatch,
            "CATALOGUE_",
            "catalogue",
            "migrate",
            url=_with_user(fresh_database, migrator),
        )
        assert migrated.exit_code == 0, migrated.output

        asyncio.run(_runtime_role_can_only_use_rows(_with_user(fresh_database, app), migrator))
    finally:
        postgres.drop_database(pg_server, fresh_database.rsplit("/", 1)[-1])
        asyncio.run(_drop_roles(pg_server, migrator, app))
