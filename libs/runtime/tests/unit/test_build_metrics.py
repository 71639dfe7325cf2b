"""What an SRE expects on /metrics and in the OpenAPI document: the build, the process, Python."""

from importlib import metadata
from typing import ClassVar

import httpx
import pytest
from pydantic_settings import SettingsConfigDict
from sqlalchemy import MetaData

from academy_runtime.app import build_app
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings


class AssessmentLike(ServiceSettings):
    service_name: ClassVar[str] = "assessment"
    model_config = SettingsConfigDict(env_prefix="PROBE_", extra="ignore")


class PortalLike(ServiceSettings):
    service_name: ClassVar[str] = "portal"  # no academy-portal package: the runtime's version
    model_config = SettingsConfigDict(env_prefix="PROBE_", extra="ignore")


@pytest.mark.parametrize(
    ("settings_cls", "package"),
    [(AssessmentLike, "academy-assessment"), (PortalLike, "academy-runtime")],
)
async def test_metrics_carry_build_process_and_python_and_openapi_the_package_version(
    settings_cls: type[ServiceSettings], package: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACADEMY_BUILD_COMMIT", "0123abc")
    runtime = ServiceRuntime(
        settings_cls(environment="test"), schema="buildprobe", metadata=MetaData(schema="bp")
    )
    app = build_app(runtime, title="t", description="t")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc.test") as client:
        scraped = (await client.get("/metrics")).text
        openapi = (await client.get("/openapi.json")).json()
    await runtime.engine.dispose()
    version = metadata.version(package)
    service = settings_cls.service_name
    assert (
        f'academy_build_info{{commit="0123abc",service="{service}",version="{version}"}} 1.0'
        in scraped
    )
    assert openapi["info"]["version"] == version
    for family in ("process_cpu_seconds_total", "process_resident_memory_bytes", "python_info"):
        assert f"\n{family}" in scraped, family
