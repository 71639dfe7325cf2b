"""release-bridge settings (env prefix RELEASE_BRIDGE_)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from academy_runtime.settings import ServiceSettings


class ReleaseBridgeSettings(ServiceSettings):
    service_name: ClassVar[str] = "release-bridge"
    model_config = SettingsConfigDict(env_prefix="RELEASE_BRIDGE_", extra="ignore")

    http_port: int = 8103
