"""CORS from one setting: a portal page on another origin may call a service, no one else may.

The app is built by the runtime's `build_app` around a route that needs a bearer token and a
static mount added after it (as the assessment mounts its UI kit), and driven in process.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import httpx
import pytest
from fastapi import APIRouter, Header, HTTPException
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict
from sqlalchemy import MetaData
from starlette.staticfiles import StaticFiles

from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings

PORTAL = "http://127.0.0.1:8105"
ELSEWHERE = "https://attacker.example"


class WidgetSettings(ServiceSettings):
    service_name: ClassVar[str] = "widget"
    model_config = SettingsConfigDict(env_prefix="WIDGET_", extra="ignore")

    environment: Literal["local", "test", "production"] = "test"


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/v1/me")
    async def me(authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        if authorization != "Bearer good-token":
            raise HTTPException(401, "a bearer token is needed")
        return {"staff_id": "ada"}

    return router


async def _client(settings: WidgetSettings, static: Path) -> AsyncIterator[httpx.AsyncClient]:
    runtime = ServiceRuntime(settings, schema="corstest", metadata=MetaData(schema="corstest"))
    app = build_app(runtime, title="t", description="t", routers=[_router()])
    app.mount("/ui", StaticFiles(directory=static), name="ui")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://widget.test") as client:
        yield client
    await runtime.engine.dispose()


@pytest.fixture
def static(tmp_path: Path) -> Path:
    (tmp_path / "kit.js").write_text("export const VERSION = '1';\n")
    return tmp_path


@pytest.fixture
async def client(static: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(WidgetSettings(environment="test", cors_origins=[PORTAL]), static):
        yield client


def _preflight(origin: str, method: str = "GET") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_a_preflight_from_the_portal_is_answered_before_auth(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options("/v1/me", headers=_preflight(PORTAL, "PUT"))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PORTAL
    allowed_methods = response.headers["access-control-allow-methods"].split(", ")
    assert {"GET", "POST", "PUT"} <= set(allowed_methods)
    allowed_headers = response.headers["access-control-allow-headers"].lower().split(", ")
    assert {"authorization", "content-type", "idempotency-key"} <= set(allowed_headers)
    assert "access-control-allow-credentials" not in response.headers


async def test_a_preflight_from_another_origin_gets_no_cors_headers(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options("/v1/me", headers=_preflight(ELSEWHERE))

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_a_get_with_a_token_from_the_portal_is_readable(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/v1/me", headers={"Origin": PORTAL, "Authorization": "Bearer good-token"}
    )

    assert response.status_code == 200
    assert response.json() == {"staff_id": "ada"}
    assert response.headers["access-control-allow-origin"] == PORTAL


async def test_a_refusal_is_readable_by_the_portal_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/me", headers={"Origin": PORTAL})

    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == PORTAL


async def test_another_origin_cannot_read_an_answer(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/v1/me", headers={"Origin": ELSEWHERE, "Authorization": "Bearer good-token"}
    )

    assert "access-control-allow-origin" not in response.headers


async def test_a_mount_added_after_the_app_was_built_is_covered(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/ui/kit.js", headers={"Origin": PORTAL})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PORTAL


async def test_without_origins_no_cors_headers_are_sent(static: Path) -> None:
    async for client in _client(WidgetSettings(environment="test"), static):
        preflight = await client.options("/v1/me", headers=_preflight(PORTAL))
        response = await client.get(
            "/v1/me", headers={"Origin": PORTAL, "Authorization": "Bearer good-token"}
        )

        assert "access-control-allow-origin" not in preflight.headers
        assert preflight.status_code == 405
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers


def test_origins_are_read_comma_separated_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WIDGET_CORS_ORIGINS", " https://Portal.Example:443 , http://[::1]:8105 ")

    assert WidgetSettings().cors_origins == ["https://portal.example", "http://[::1]:8105"]


def test_origins_are_read_as_a_json_list_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIDGET_CORS_ORIGINS", '["http://127.0.0.1:8105"]')

    assert WidgetSettings().cors_origins == ["http://127.0.0.1:8105"]


def test_no_origins_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIDGET_CORS_ORIGINS", "")

    assert WidgetSettings().cors_origins == []
    assert WidgetSettings.model_fields["cors_origins"].default == []


@pytest.mark.parametrize(
    ("origin", "problem"),
    [
        ("http://127.0.0.1:8105/", "has a path, query or fragment"),
        ("https://portal.example/portal", "did you mean 'https://portal.example'"),
        ("https://portal.example?x=1", "has a path, query or fragment"),
        ("portal.example", "is not an origin; write scheme://host[:port]"),
        ("ftp://portal.example", "is not an origin"),
        ("https://user:pw@portal.example", "no user name or password"),
        ("http://127.0.0.1:99999", "is not an origin"),
    ],
)
def test_a_value_that_is_not_an_origin_is_refused_naming_the_setting(
    origin: str, problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIDGET_CORS_ORIGINS", origin)

    with pytest.raises(ValidationError) as refused:
        WidgetSettings()

    [error] = refused.value.errors()
    assert error["loc"] == ("cors_origins",)
    assert "WIDGET_CORS_ORIGINS" in error["msg"]
    assert problem in error["msg"]


def test_every_origin_with_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="WIDGET_CORS_ORIGINS=\\* with WIDGET_CORS_ALLOW"):
        WidgetSettings(cors_origins=["*"], cors_allow_credentials=True)


def test_every_origin_alone_is_allowed_without_credentials() -> None:
    assert WidgetSettings(cors_origins="*").cors_origins == ["*"]
    with pytest.raises(ValidationError, match="give it alone"):
        WidgetSettings(cors_origins=["*", PORTAL])


async def test_credentials_are_allowed_only_when_asked_for(static: Path) -> None:
    settings = WidgetSettings(
        environment="test", cors_origins=[PORTAL], cors_allow_credentials=True
    )
    async for client in _client(settings, static):
        response = await client.options("/v1/me", headers=_preflight(PORTAL))

        assert response.headers["access-control-allow-credentials"] == "true"
        assert response.headers["access-control-allow-origin"] == PORTAL
