"""The reference portal's settings (env prefix PORTAL_)."""

from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from academy_runtime.settings import ServiceSettings


class PortalSettings(ServiceSettings):
    """`oidc_issuer` is the development issuer the sign-in page gets demo tokens from."""

    service_name: ClassVar[str] = "portal"
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    http_port: int = 8105
    webhook_secrets: list[SecretStr] = Field(
        default_factory=lambda: [SecretStr("whsec_ZGV2LW9ubHktcG9ydGFsLXNlY3JldC0wMDAwMDAwMA==")],
        description="whsec_ secrets accepted (several during rotation)",
    )
    assessment_url: str = Field(
        default="http://127.0.0.1:8102",
        description="the assessment service as the browser reaches it: the Certification tab "
        "loads the UI kit from `{assessment_url}/ui/` and gives it as `api-base`",
    )
    release_bridge_url: str = Field(
        default="http://127.0.0.1:8103",
        description="the release bridge as the browser reaches it (`release-api-base`)",
    )
    session_ttl_s: int = Field(
        default=8 * 3600,
        ge=60,
        le=7 * 24 * 3600,
        description="how long a sign-in lasts: the session and its demo token",
    )

    @field_validator("assessment_url", "release_bridge_url")
    @classmethod
    def _http_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL such as https://academy.example")
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r}: a base URL has no query or fragment")
        return value.rstrip("/")
