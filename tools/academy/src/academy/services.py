"""The four services of the mesh, as the local runtime and tests start them."""

from dataclasses import dataclass

from academy_runtime import migrations
from academy_runtime.settings import ServiceSettings
from assessment.settings import AssessmentSettings
from audit_export.settings import AuditExportSettings
from catalogue.settings import CatalogueSettings
from release_bridge.settings import ReleaseBridgeSettings

#: Tansu holds a consumer fetch this long even when records arrive (Apache Kafka answers at once):
#: short for the services on a user's path.
FETCH_WAIT_MS = 50


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    cli: str
    settings: type[ServiceSettings]
    #: None: the service's own default (audit export, off every user's path, batches up).
    fetch_wait_ms: int | None = FETCH_WAIT_MS

    @property
    def env_prefix(self) -> str:
        return str(self.settings.model_config.get("env_prefix", ""))

    @property
    def default_port(self) -> int:
        return int(self.settings.model_fields["http_port"].default)


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("catalogue", "catalogue", CatalogueSettings),
    ServiceSpec("assessment", "assessment", AssessmentSettings),
    ServiceSpec("release-bridge", "release", ReleaseBridgeSettings),
    ServiceSpec("audit-export", "audit", AuditExportSettings, fetch_wait_ms=None),
)


def migrate_all(database_url: str) -> None:
    """Every service's migrations: all four are installed with the CLI."""
    migrations.upgrade_installed(database_url)


def service_env(
    spec: ServiceSpec, *, database_url: str, kafka: str, port: int, extra: dict[str, str]
) -> dict[str, str]:
    """Environment for one service process (everything under its own prefix)."""
    prefix = spec.env_prefix
    env = {
        "ENVIRONMENT": "local",
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "KAFKA_SESSION_TIMEOUT_MS": "3000",
        "KAFKA_HEARTBEAT_INTERVAL_MS": "500",
        "HTTP_PORT": str(port),
        **extra,
    }
    if spec.fetch_wait_ms is not None:
        env.setdefault("KAFKA_FETCH_MAX_WAIT_MS", str(spec.fetch_wait_ms))
    return {f"{prefix}{key}": value for key, value in env.items()}
