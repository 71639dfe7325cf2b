"""audit-export settings (env prefix AUDIT_EXPORT_)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from academy_runtime.settings import ServiceSettings


class AuditExportSettings(ServiceSettings):
    service_name: ClassVar[str] = "audit-export"
    model_config = SettingsConfigDict(env_prefix="AUDIT_EXPORT_", extra="ignore")

    http_port: int = 8104
