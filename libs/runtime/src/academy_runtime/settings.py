"""Typed settings shared by every service; one env prefix per service (e.g. `CATALOGUE_`)."""

import json
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from academy_runtime.placeholders import placeholder_reason
from contracts import topics
from contracts.identifiers import OperatorId

#: Partitions of every topic on the one-broker local runtime (Tansu) unless set.
LOCAL_PARTITIONS = 4


class DatabaseSettings(BaseSettings):
    """Where a service runs and its database: all `migrate` needs (see `migration_settings`),
    and the base of every service's settings."""

    #: Settings whose defaults serve local runs only: outside local/test they must be set.
    required_outside_local: ClassVar[tuple[str, ...]] = ("database_url",)
    #: Values a subclass knows to be development placeholders (e.g. a reference secret).
    known_placeholders: ClassVar[frozenset[str]] = frozenset()

    model_config = SettingsConfigDict(extra="ignore", env_prefix="ACADEMY_")

    environment: Literal["local", "test", "production"] = Field(
        default="production",
        description="local and test allow placeholder secrets and dev conveniences",
    )
    database_url: SecretStr = Field(
        default=SecretStr("postgresql+asyncpg://postgres@127.0.0.1:5432/academy"),
        description="SQLAlchemy async URL (postgresql+asyncpg://…); required outside local/test",
    )

    @property
    def is_local(self) -> bool:
        return self.environment in ("local", "test")

    @model_validator(mode="after")
    def _refuse_guesses_outside_local(self) -> "DatabaseSettings":
        """Outside local/test every setting production must not guess is set and no secret is
        a placeholder; the error names each variable at fault."""
        if self.is_local:
            return self
        prefix = self.model_config.get("env_prefix", "")
        problems = []
        for name, value in self:
            variable = f"{prefix}{name.upper()}"
            if name in self.required_outside_local and name not in self.model_fields_set:
                problems.append(f"{variable} is required outside local/test (not set)")
            elif isinstance(value, SecretStr):
                reason = self._placeholder_reason(value.get_secret_value())
                if reason is not None:
                    problems.append(f"{variable} holds a placeholder secret ({reason})")
            elif name in self.required_outside_local and not str(value).strip():
                problems.append(f"{variable} is required outside local/test (empty)")
        if problems:
            raise ValueError(
                "; ".join(problems) + f"; set real values or run with {prefix}ENVIRONMENT=local"
            )
        return self

    def _placeholder_reason(self, text: str) -> str | None:
        if not text.strip():
            return "empty"
        if text in self.known_placeholders:
            return "a development value"
        return placeholder_reason(text)


class ServiceSettings(DatabaseSettings):
    """Settings every service has; subclasses set `model_config` with their env prefix."""

    service_name: ClassVar[str] = "service"
    required_outside_local: ClassVar[tuple[str, ...]] = ("database_url", "kafka_bootstrap_servers")

    model_config = SettingsConfigDict(extra="ignore", env_prefix="ACADEMY_")

    db_pool_size: int = Field(
        default=10,
        ge=1,
        description="Postgres connections the service keeps open (opened as needed, then kept)",
    )
    db_max_overflow: int = Field(
        default=0,
        ge=0,
        description="extra connections beyond the pool under bursts; each is closed when "
        "returned, so under load every one costs a new backend and re-prepared statements: "
        "prefer a larger pool",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        description="host:port[,host:port…] of the Kafka brokers; required outside local/test",
    )
    kafka_session_timeout_ms: int = Field(default=10_000, ge=1000)
    kafka_heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    kafka_fetch_max_wait_ms: int = Field(
        default=500, ge=0, description="longest a consumer fetch waits for records"
    )
    kafka_fetch_min_bytes: int = Field(
        default=1,
        ge=1,
        description="record bytes the broker gathers before answering a consumer fetch (up to "
        "the fetch max wait): 1 answers at once; more makes larger batches for a service off "
        "every user's path",
    )
    kafka_topic_partitions: int | None = Field(
        default=None,
        ge=1,
        description=f"partitions of every topic; unset: {LOCAL_PARTITIONS} in local/test, "
        f"else as declared in contracts.topics ({topics.PARTITIONS})",
    )
    kafka_replication_factor: int | None = Field(
        default=None,
        ge=1,
        description="copies of every partition; unset: 1 in local/test, else as declared "
        f"({topics.REPLICATION_FACTOR}); min.insync.replicas follows (at most "
        f"{topics.MIN_INSYNC_REPLICAS}, below this)",
    )
    kafka_create_topics: bool | None = Field(
        default=None,
        description="create missing topics; unset: yes in local/test, else no: topics are "
        "checked against contracts.topics and a missing or different one refuses the start",
    )
    consumer_group: str | None = Field(default=None, description="default: academy-<service>")
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    access_log_sample_rate: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="share of successful requests written to the access log (errors always)",
    )
    outbox_batch_size: int = Field(default=500, ge=1)
    gc_young_threshold: int = Field(
        default=50_000,
        ge=0,
        description="allocations between collections of the youngest generation (Python's "
        "default is 700); at start the objects start-up made are also frozen out of the "
        "collector's sight. 0 keeps Python's defaults",
    )
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
    consumer_batch_max_records: int = Field(
        default=500, ge=1, description="most records a consumer fetches and commits at once"
    )
    consumer_batch_max_bytes: int = Field(
        default=4 * 2**20,
        ge=1,
        description="most record bytes (keys and values) applied in one transaction; "
        "a larger record is applied alone",
    )
    consumer_batch_wait_ms: int = Field(
        default=100, ge=1, description="longest a consumer waits for records to arrive"
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
    def topic_partitions(self) -> int:
        if self.kafka_topic_partitions is not None:
            return self.kafka_topic_partitions
        return LOCAL_PARTITIONS if self.is_local else topics.PARTITIONS

    @property
    def topic_replication_factor(self) -> int:
        if self.kafka_replication_factor is not None:
            return self.kafka_replication_factor
        return 1 if self.is_local else topics.REPLICATION_FACTOR

    @property
    def creates_topics(self) -> bool:
        return self.is_local if self.kafka_create_topics is None else self.kafka_create_topics

    def topic_layout(self, name: str) -> topics.TopicSpec:
        """`name` as declared, sized for the cluster these settings point at."""
        return topics.spec(name).sized(
            partitions=self.topic_partitions, replication_factor=self.topic_replication_factor
        )

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


def migration_settings(settings_cls: type[DatabaseSettings]) -> type[DatabaseSettings]:
    """`settings_cls` cut down to what a migration reads (its environment and database URL,
    same prefix): the migration Job needs no runtime secrets."""
    prefix = settings_cls.model_config.get("env_prefix", "")
    namespace = {
        "__module__": __name__,
        "__doc__": f"{settings_cls.__name__} for `migrate`: environment and database URL only.",
        "model_config": SettingsConfigDict(extra="ignore", env_prefix=prefix),
    }
    return type(f"{settings_cls.__name__}ForMigrations", (DatabaseSettings,), namespace)
