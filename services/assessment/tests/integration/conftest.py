"""Fixtures: an in-process assessment app on the test run's Postgres, a dev issuer, a clock."""

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from assessment_harness import ISSUER, Harness, wire_issuer
from assessment_testkit import FakeClock

from academy_testkit.issuer import DevIssuer
from assessment.app import create
from assessment.settings import AssessmentSettings


@pytest.fixture(scope="session")
def issuer() -> DevIssuer:
    return DevIssuer(ISSUER)


@pytest.fixture
async def harness(
    make_settings: Callable[..., AssessmentSettings], issuer: DevIssuer
) -> AsyncIterator[Harness]:
    settings = make_settings(AssessmentSettings, oidc_issuer=ISSUER)
    clock = FakeClock()
    app, runtime = create(settings, clock=clock)
    wire_issuer(app, settings, issuer)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://assessment.test") as client:
        yield Harness(app=app, runtime=runtime, client=client, clock=clock, issuer=issuer)
    await runtime.engine.dispose()
