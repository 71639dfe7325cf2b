"""Property-based tests of the read API generated from its OpenAPI document (schemathesis).

The app runs in uvicorn on 127.0.0.1 (its own thread and loop, broker not started) against a
catalogue database holding two publications. Every /v1 operation gets generated requests with
a valid token; none may answer 5xx or disagree with the document (status, headers, body).
"""

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest
import schemathesis
from catalogue_it_kit import ISSUER, MGA_LESSON, append, copy_bundled, publish_dir
from hypothesis import HealthCheck, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import allow_header_conformance

from academy_runtime.auth import JwksCache, TokenVerifier
from academy_testkit import postgres
from academy_testkit.issuer import DevIssuer
from academy_testkit.issuer import create_app as create_issuer_app
from academy_testkit.server import ServerThread
from catalogue.app import build_runtime, create
from catalogue.settings import CatalogueSettings

pytestmark = pytest.mark.integration

FUZZ_ISSUER = DevIssuer(ISSUER)


@pytest.fixture(scope="module")
def fuzz_settings(
    pg_server: str, catalogue_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CatalogueSettings]:
    """Its own database with the bundled content published twice (so history has entries)."""
    name = f"catalogue_fuzz_{uuid.uuid4().hex[:8]}"

    async def seed(url: str) -> None:
        admin = await asyncpg.connect(postgres.plain(postgres.with_database(pg_server, "postgres")))
        try:
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{catalogue_template}"')
        finally:
            await admin.close()
        runtime = build_runtime(CatalogueSettings(environment="test", database_url=url))
        root = copy_bundled(tmp_path_factory.mktemp("fuzz"))
        await publish_dir(runtime, root)
        append(root, MGA_LESSON, "Second publication.")
        await publish_dir(runtime, root)
        await runtime.engine.dispose()

    url = postgres.with_database(pg_server, name)
    asyncio.run(seed(url))
    yield CatalogueSettings(environment="test", database_url=url, oidc_issuer=ISSUER)
    postgres.drop_database(pg_server, name)


def _server(settings: CatalogueSettings, issuer: DevIssuer) -> ServerThread:
    app, runtime = create(settings)
    transport = httpx.ASGITransport(app=create_issuer_app(issuer))
    app.state.token_verifier = TokenVerifier(
        settings, jwks=JwksCache(f"{ISSUER}/jwks.json", ttl_s=600, transport=transport)
    )
    return ServerThread(app, runtime, name="catalogue-fuzz")


@pytest.fixture(scope="module")
def served(fuzz_settings: CatalogueSettings) -> Iterator[str]:
    with _server(fuzz_settings, FUZZ_ISSUER) as base_url:
        yield base_url


def _document() -> dict[str, Any]:
    """The app's OpenAPI document (building it needs no database or broker)."""
    app, _ = create(CatalogueSettings(environment="test"))
    document: dict[str, Any] = app.openapi()
    return document


schema = schemathesis.openapi.from_dict(_document()).include(path_regex="^/v1/")


@schema.auth()
class PortalToken:
    """A valid token (content needs no particular role); left off when testing missing auth."""

    def get(self, case: Any, context: Any) -> str:
        return FUZZ_ISSUER.mint(sub="fuzzer", operator_id="op-fuzz", groups=["kyc_analyst"])

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_generated_requests_get_no_5xx_and_documented_responses(case: Any, served: str) -> None:
    # Every check runs (no 5xx; status codes, content types, headers and bodies as documented;
    # invalid input rejected; valid input accepted; missing auth refused) except the `Allow`
    # header of a 405, which Starlette fills per route rather than per path.
    case.call_and_validate(base_url=served, excluded_checks=[allow_header_conformance])


def test_the_fuzzer_covers_every_read_operation() -> None:
    results = list(schema.get_all_operations())
    fuzzed = {(r.ok().method.upper(), r.ok().path) for r in results if isinstance(r, Ok)}

    assert len(fuzzed) == len(results), "every operation loads without schema errors"
    assert fuzzed == {
        ("GET", "/v1/jurisdictions"),
        ("GET", "/v1/jurisdictions/{code}"),
        ("GET", "/v1/jurisdictions/{code}/tracks/{role}"),
        ("GET", "/v1/tracks/{track_key}/versions"),
        ("GET", "/v1/tracks/{track_key}/versions/{version}"),
        ("GET", "/v1/modules/{module_id}/history"),
        ("GET", "/v1/release-policies"),
        ("GET", "/v1/catalogue/publications"),
    }


def test_the_fuzzed_server_holds_published_content(served: str) -> None:
    """Guards the fuzz run: without published content every read would be a 404."""
    token = FUZZ_ISSUER.mint(sub="probe", operator_id="op-fuzz", groups=[])

    response = httpx.get(
        f"{served}/v1/jurisdictions/MGA/tracks/mlro", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200
    assert response.json()["track_key"] == "MGA.mlro"
