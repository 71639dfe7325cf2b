"""Assessment settings (env prefix ASSESSMENT_)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from academy_runtime.settings import ServiceSettings


class AssessmentSettings(ServiceSettings):
    service_name: ClassVar[str] = "assessment"
    model_config = SettingsConfigDict(env_prefix="ASSESSMENT_", extra="ignore")

    http_port: int = 8102
