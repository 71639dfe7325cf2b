"""catalogue settings (env prefix CATALOGUE_)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from academy_runtime.settings import ServiceSettings


class CatalogueSettings(ServiceSettings):
    service_name: ClassVar[str] = "catalogue"
    model_config = SettingsConfigDict(env_prefix="CATALOGUE_", extra="ignore")

    http_port: int = 8101
