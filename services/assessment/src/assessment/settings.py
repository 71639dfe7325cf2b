"""Assessment settings (env prefix ASSESSMENT_)."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from academy_runtime.settings import ServiceSettings


class AssessmentSettings(ServiceSettings):
    service_name: ClassVar[str] = "assessment"
    model_config = SettingsConfigDict(env_prefix="ASSESSMENT_", extra="ignore")

    http_port: int = 8102
    scheduler_interval_s: float = Field(
        default=30.0,
        gt=0,
        description="how often expiry notices and overdue attempts are looked for",
    )
    scheduler_batch_size: int = Field(
        default=500, ge=1, description="certificates or attempts handled per scheduler step"
    )
    submission_grace_s: int = Field(
        default=30, ge=0, description="seconds a submission may arrive after the time limit"
    )
