"""Property-based API tests generated from the OpenAPI document (schemathesis).

The app runs in uvicorn on 127.0.0.1 (its own thread and event loop, broker not started) against
the test database. Every /v1 operation gets generated requests with a valid token that holds
every role, so cross-tenant paths answer too; none may answer 5xx or violate the document.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from assessment_harness import ISSUER, wire_issuer
from assessment_testkit import T0, FakeClock, realistic_track
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import allow_header_conformance

from academy_testkit.issuer import DevIssuer
from academy_testkit.server import ServerThread
from assessment.adapters.unit_of_work import assessment_units
from assessment.app import create
from assessment.service import operators
from assessment.service.catalogue import track_published
from assessment.settings import AssessmentSettings
from contracts import topics

pytestmark = pytest.mark.integration

FUZZ_OPERATOR = "op-fuzz"
FUZZ_JURISDICTION = "FUZZ"
ALL_ROLES = ["compliance_officer", "operator_admin", "academy_support", "academy_admin"]
FUZZ_ISSUER = DevIssuer(ISSUER)


@pytest.fixture(scope="module")
async def seeded(database_url: str) -> None:
    """A published track and a go-live jurisdiction, so some requests find real data."""
    _, runtime = create(AssessmentSettings(environment="test", database_url=database_url))
    track = realistic_track(jurisdiction=FUZZ_JURISDICTION)
    async with assessment_units(runtime)() as uow:
        envelope = runtime.envelope(track, tenant=topics.PLATFORM_TENANT)
        await track_published(envelope, uow=uow)
        await operators.set_jurisdictions(
            uow=uow,
            operator_id=FUZZ_OPERATOR,
            jurisdictions=[FUZZ_JURISDICTION],
            actor="fuzz",
            reason=None,
            now=T0,
            new_operator=True,
        )
    await runtime.engine.dispose()


def _server(settings: AssessmentSettings, issuer: DevIssuer) -> ServerThread:
    app, runtime = create(settings, clock=FakeClock())
    wire_issuer(app, settings, issuer)
    return ServerThread(app, runtime, name="fuzz-uvicorn")


@pytest.fixture(scope="module")
def served(database_url: str, seeded: None) -> Iterator[tuple[str, Any]]:
    settings = AssessmentSettings(environment="test", database_url=database_url, oidc_issuer=ISSUER)
    server = _server(settings, FUZZ_ISSUER)
    with server as base_url:
        yield base_url, server.app


def _document() -> dict[str, Any]:
    """The app's OpenAPI document (building it needs no database or broker)."""
    app, _ = create(AssessmentSettings(environment="test"))
    document: dict[str, Any] = app.openapi()
    return document


schema = schemathesis.openapi.from_dict(_document()).include(path_regex="^/v1/")


@schema.auth()
class PortalToken:
    """A valid token with every role; schemathesis leaves it off when it tests missing auth."""

    def get(self, case: Any, context: Any) -> str:
        return FUZZ_ISSUER.mint(sub="fuzzer", operator_id=FUZZ_OPERATOR, groups=ALL_ROLES)

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_generated_requests_get_no_5xx_and_documented_responses(
    case: Any, served: tuple[str, Any]
) -> None:
    base_url, _ = served
    # Every check runs (no 5xx, status codes, content types, headers and bodies per the
    # document, invalid input rejected, valid input accepted, missing auth refused) except the
    # `Allow` header of a 405, which Starlette fills per route rather than per path.
    case.call_and_validate(base_url=base_url, excluded_checks=[allow_header_conformance])


def test_the_fuzzer_covers_every_v1_operation() -> None:
    fuzzed = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    documented = {
        (method.upper(), path)
        for path, operations in _document()["paths"].items()
        if path.startswith("/v1/")
        for method in operations
    }
    assert fuzzed == documented
    assert len(fuzzed) >= 20
