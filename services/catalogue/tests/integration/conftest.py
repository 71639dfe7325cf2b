"""Catalogue integration fixtures: a fresh catalogue database per test and a broker of our own.

Publishing tests assert exact event sequences and publication numbers, so each test gets an
empty, migrated catalogue database (cloned from a template, ~0.1 s) and, when it needs one, its
own Tansu broker, instead of the shared run-wide ones other services' tests write to.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from catalogue_it_kit import ISSUER, ReadApi

from academy_runtime import migrations
from academy_runtime.auth import JwksCache, TokenVerifier
from academy_runtime.service import ServiceRuntime
from academy_testkit import postgres
from academy_testkit.fixtures import running_tansu
from academy_testkit.issuer import DevIssuer
from academy_testkit.issuer import create_app as create_issuer_app
from catalogue.app import MIGRATIONS, build_runtime, create
from catalogue.settings import CatalogueSettings


@pytest.fixture(scope="session")
def catalogue_template(pg_server: str) -> Iterator[str]:
    """A database with only the catalogue migrations applied, cloned by `catalogue_db`."""
    name = f"catalogue_tpl_{uuid.uuid4().hex[:10]}"
    url = postgres.create_database(pg_server, name)
    migrations.upgrade(MIGRATIONS, url)
    yield name
    postgres.drop_database(pg_server, name)


@pytest.fixture
def catalogue_db(pg_server: str, catalogue_template: str) -> Iterator[str]:
    name = f"catalogue_it_{uuid.uuid4().hex[:10]}"
    asyncio.run(_clone(pg_server, name, catalogue_template))
    yield postgres.with_database(pg_server, name)
    postgres.drop_database(pg_server, name)


async def _clone(server: str, name: str, template: str) -> None:
    conn = await asyncpg.connect(postgres.plain(postgres.with_database(server, "postgres")))
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await conn.close()


@pytest.fixture
def catalogue_broker() -> Iterator[str]:
    """A Tansu broker for this test only, so the topic holds exactly the test's events."""
    with running_tansu("tansu-catalogue") as bootstrap:
        yield bootstrap


@pytest.fixture
def catalogue_settings(catalogue_db: str) -> CatalogueSettings:
    """Settings on the test's own database; the broker address is unused unless overridden."""
    return CatalogueSettings(
        environment="test",
        database_url=catalogue_db,
        kafka_bootstrap_servers="127.0.0.1:9",
        outbox_poll_interval_s=0.1,
        kafka_session_timeout_ms=1000,
        kafka_heartbeat_interval_ms=300,
    )


@pytest.fixture
async def runtime(catalogue_settings: CatalogueSettings) -> AsyncIterator[ServiceRuntime]:
    """The catalogue runtime on the test's database (broker not started)."""
    built = build_runtime(catalogue_settings)
    yield built
    await built.engine.dispose()


@pytest.fixture(scope="session")
def issuer() -> DevIssuer:
    return DevIssuer(ISSUER)


@pytest.fixture
async def api(catalogue_settings: CatalogueSettings, issuer: DevIssuer) -> AsyncIterator[ReadApi]:
    """The catalogue app in-process (no broker), tokens from a dev issuer served in-process."""
    settings = catalogue_settings.model_copy(update={"oidc_issuer": ISSUER})
    app, runtime = create(settings)
    transport = httpx.ASGITransport(app=create_issuer_app(issuer))
    app.state.token_verifier = TokenVerifier(
        settings, jwks=JwksCache(f"{ISSUER}/jwks.json", ttl_s=600, transport=transport)
    )
    token = issuer.mint(sub="reader", operator_id="op-reader", groups=["compliance_officer"])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://catalogue.test",
        headers={"Authorization": f"Bearer {token}"},
    ) as client:
        yield ReadApi(app=app, runtime=runtime, client=client)
    await runtime.engine.dispose()
