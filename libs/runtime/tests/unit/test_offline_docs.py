"""/docs names nothing outside the app: Swagger UI's assets are served by the app itself."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import MetaData

from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings

REFERENCE = re.compile(r"""(?:href|src)="([^"]+)"|url:\s*'([^']+)'""")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    runtime = ServiceRuntime(
        ServiceSettings(environment="test"), schema="docstest", metadata=MetaData(schema="docstest")
    )
    app = build_app(runtime, title="t", description="t")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as c:
        yield c


async def test_docs_page_names_no_http_url(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert re.findall(r"https?://[^\s\"'<>]+", page.text) == []


async def test_every_asset_the_docs_page_references_is_served_by_the_app(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/docs")).text
    references = [href or url for href, url in REFERENCE.findall(page)]
    assert {"/openapi.json", "/docs/assets/swagger-ui-bundle.js"} <= set(references)
    for reference in references:
        assert reference.startswith("/"), reference
        response = await client.get(reference)
        assert response.status_code == 200, reference
        assert response.content, reference


async def test_redoc_is_not_served_because_it_needs_a_cdn(client: httpx.AsyncClient) -> None:
    assert (await client.get("/redoc")).status_code == 404
