"""Typed settings shared by every service; one env prefix per service (e.g. `CATALOGUE_`)."""

import json
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from contracts.identifiers import OperatorId

#: Values that may only be used in local mode: anything that looks like a placeholder.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "dev-only", "insecure", "example")


class ServiceSettings(BaseSettings):
    """Settings every service has; subclasses set `model_config` with their env prefix."""

    service_name: ClassVar[str] = "service"

    model_config = SettingsConfigDict(extra="ignore", env_prefix="ACADEMY_")

    environment: Literal["local", "test", "production"] = Field(
        default="production",
        description="local and test allow placeholder secrets and dev conveniences",
    )
    database_url: SecretStr = Field(
        default=SecretStr("postgresql+asyncpg://postgres@127.0.0.1:5432/academy"),
        description="SQLAlchemy async URL (postgresql+asyncpg://…)",
    )
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_session_timeout_ms: int = Field(default=10_000, ge=1000)
    kafka_heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    kafka_fetch_max_wait_ms: int = Field(
        default=500, ge=0, description="longest a consumer fetch waits for records"
    )
    kafka_topic_partitions: int = Field(default=4, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    consumer_group: str | None = Field(default=None, description="default: academy-<service>")
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    outbox_batch_size: int = Field(default=500, ge=1)
    outbox_poll_interval_s: float = Field(default=0.2, gt=0)
    outbox_retention_hours: float = Field(
        default=168, gt=0, description="sent outbox rows are deleted after this"
    )
    inbox_retention_days: float = Field(
        default=30, gt=0, description="processed event ids are remembered this long (dedupe)"
    )
    consumer_max_retries: int = Field(
        default=5, ge=0, description="unexpected errors before a message goes to the DLQ"
    )
    consumer_lag_interval_s: float = Field(
        default=10.0,
        gt=0,
        description="how often consumer lag (end minus committed offset) is read from the broker",
    )
    oidc_issuer: str = "http://127.0.0.1:8100"
    oidc_audience: str = "academy"
    oidc_jwks_url: str | None = Field(default=None, description="default: {issuer}/jwks.json")
    oidc_jwks_cache_s: int = Field(default=600, ge=0)
    oidc_leeway_s: int = Field(default=30, ge=0)
    claim_staff_id: str = "sub"
    claim_email: str = "email"
    claim_name: str = "name"
    claim_operator_id: str = "operator_id"
    claim_groups: str = "groups"
    staff_tenant: OperatorId = Field(
        default="academy-vendor",
        description="operator claim of the vendor's own staff; only its tokens' "
        "academy_support/academy_admin/academy_auditor groups act across operators",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="browser origins (`scheme://host[:port]`, comma-separated) whose pages may "
        "call this service, e.g. the partner portal's; empty: no CORS headers",
    )
    cors_allow_credentials: bool = Field(
        default=False,
        description="let those pages send cookies too (bearer tokens need none); never with `*`",
    )

    @property
    def group_id(self) -> str:
        return self.consumer_group or f"academy-{self.service_name}"

    @property
    def jwks_url(self) -> str:
        return self.oidc_jwks_url or f"{self.oidc_issuer.rstrip('/')}/jwks.json"

    @property
    def is_local(self) -> bool:
        return self.environment in ("local", "test")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins_from_text(cls, value: Any) -> Any:
        """`https://a.example,https://b.example` (or a JSON list) from the environment."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except ValueError as exc:
                prefix = cls.model_config.get("env_prefix", "")
                raise ValueError(f"{prefix}CORS_ORIGINS: not a JSON list ({exc})") from exc
        return [part.strip() for part in text.split(",") if part.strip()]

    @field_validator("cors_origins")
    @classmethod
    def _valid_origins(cls, value: list[str]) -> list[str]:
        name = f"{cls.model_config.get('env_prefix', '')}CORS_ORIGINS"
        if "*" in value and len(value) > 1:
            raise ValueError(f"{name}: `*` allows every origin; give it alone or list origins")
        return [origin if origin == "*" else _origin(origin, name) for origin in value]

    @model_validator(mode="after")
    def _no_credentials_for_every_origin(self) -> "ServiceSettings":
        if self.cors_allow_credentials and "*" in self.cors_origins:
            prefix = self.model_config.get("env_prefix", "")
            raise ValueError(
                f"{prefix}CORS_ORIGINS=* with {prefix}CORS_ALLOW_CREDENTIALS=true would let any "
                "site act with a visitor's cookies; list the origins that may"
            )
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> "ServiceSettings":
        if self.is_local:
            return self
        for name, value in self:
            if isinstance(value, SecretStr) and _looks_like_placeholder(value):
                prefix = self.model_config.get("env_prefix", "")
                raise ValueError(
                    f"{prefix}{name.upper()} holds a placeholder secret; set a real value "
                    f"or run with {prefix}ENVIRONMENT=local"
                )
        return self


def _origin(value: str, setting: str) -> str:
    """`value` as browsers send it in `Origin` (lower case, no default port), or a clear error."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{setting}: {value!r} is not an origin ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{setting}: {value!r} is not an origin; write scheme://host[:port], "
            "e.g. https://portal.example"
        )
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{setting}: {value!r}: an origin has no user name or password")
    if parts.path or parts.query or parts.fragment or value.endswith(("?", "#")):
        bare = f"{scheme}://{parts.netloc}"
        raise ValueError(
            f"{setting}: {value!r} has a path, query or fragment; an origin is "
            f"scheme://host[:port] only (did you mean {bare!r}?)"
        )
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" if port in (None, default_port) else f"{scheme}://{host}:{port}"


def _looks_like_placeholder(value: SecretStr) -> bool:
    text = value.get_secret_value().lower()
    return not text or any(marker in text for marker in PLACEHOLDER_MARKERS)


def describe(settings_cls: type[ServiceSettings]) -> list[tuple[str, str, Any]]:
    """(ENV_NAME, description, default) for every setting, for docs and drift checks."""
    prefix = settings_cls.model_config.get("env_prefix", "")
    rows = []
    for name, field in settings_cls.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if isinstance(default, SecretStr) or (
            isinstance(default, list) and any(isinstance(item, SecretStr) for item in default)
        ):
            default = "(secret)"
        rows.append((f"{prefix}{name.upper()}", field.description or "", default))
    return rows
