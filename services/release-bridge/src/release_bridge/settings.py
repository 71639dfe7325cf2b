"""release-bridge settings (env prefix RELEASE_BRIDGE_)."""

from datetime import timedelta
from typing import ClassVar, Final

from pydantic import AwareDatetime, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from academy_runtime.settings import ServiceSettings
from release_bridge.domain.breaker_state import BreakerConfig
from release_bridge.domain.classify import RetryPolicy
from release_bridge.domain.signing import InvalidWebhookSecretError, SigningKeys, WebhookSecret

#: The reference portal's development secret; used only when none is set in local/test mode.
LOCAL_DEV_SECRET: Final = "whsec_ZGV2LW9ubHktcG9ydGFsLXNlY3JldC0wMDAwMDAwMA=="  # noqa: S105


class ReleaseBridgeSettings(ServiceSettings):
    service_name: ClassVar[str] = "release-bridge"
    model_config = SettingsConfigDict(env_prefix="RELEASE_BRIDGE_", extra="ignore")
    known_placeholders: ClassVar[frozenset[str]] = frozenset({LOCAL_DEV_SECRET})

    http_port: int = 8103

    portal_webhook_url: str = Field(
        default="http://127.0.0.1:8105/webhooks/academy",
        description="the portal endpoint every webhook is POSTed to",
    )
    portal_endpoint_name: str = Field(
        default="portal",
        pattern=r"^[a-z0-9][a-z0-9_.-]{0,62}$",
        description="breaker key and metric label of that endpoint",
    )
    portal_webhook_secret: SecretStr = Field(
        default=SecretStr(""),
        description="whsec_ signing secret (required outside local/test)",
    )
    portal_webhook_previous_secret: SecretStr | None = Field(
        default=None, description="rotation: the old whsec_ secret, co-signs until the deadline"
    )
    portal_webhook_previous_secret_valid_until: AwareDatetime | None = Field(
        default=None, description="rotation: end of the grace period (RFC 3339)"
    )
    portal_connect_timeout_s: float = Field(default=3.0, gt=0, description="TCP/TLS connect")
    portal_read_timeout_s: float = Field(default=10.0, gt=0, description="waiting for bytes")
    portal_total_timeout_s: float = Field(default=15.0, gt=0, description="per request")

    retry_base_s: float = Field(default=5.0, gt=0, description="first backoff ceiling")
    retry_cap_s: float = Field(default=3600.0, gt=0, description="largest backoff ceiling")
    retry_window_h: float = Field(default=72.0, gt=0, description="retry, then park")

    breaker_window_s: int = Field(default=60, ge=1, description="failure-rate window")
    breaker_bucket_s: int = Field(default=5, ge=1, description="window granularity")
    breaker_minimum_calls: int = Field(
        default=10, ge=1, description="calls in the window before the rate counts"
    )
    breaker_failure_rate: float = Field(
        default=0.5, gt=0, le=1, description="5xx, timeouts and slow calls over calls"
    )
    breaker_slow_call_s: float = Field(default=5.0, gt=0, description="slower calls fail")
    breaker_signature_rejections: int = Field(
        default=3, ge=1, description="consecutive 401/403 that open the breaker"
    )
    breaker_cool_down_s: float = Field(default=30.0, gt=0, description="open, then half-open")
    breaker_signature_cool_down_s: float = Field(
        default=300.0, gt=0, description="cool-down after signature rejections"
    )
    breaker_half_open_probes: int = Field(default=1, ge=1, description="concurrent probes")
    breaker_half_open_successes: int = Field(
        default=2, ge=1, description="successful probes that close it"
    )

    delivery_batch_size: int = Field(default=20, ge=1, description="deliveries leased per round")
    delivery_concurrency: int = Field(default=8, ge=1, description="requests in flight")
    delivery_poll_interval_s: float = Field(
        default=1.0, gt=0, description="look for due deliveries this often"
    )
    delivery_lease_s: float = Field(
        default=60.0, gt=0, description="a claimed delivery is re-sent after this if unfinished"
    )
    ack_slo_s: float = Field(default=300.0, gt=0, description="release acknowledgement SLO")
    reconcile_interval_s: float = Field(
        default=15.0, gt=0, description="silent-failure detector and gauges"
    )

    @model_validator(mode="after")
    def _check_delivery_settings(self) -> "ReleaseBridgeSettings":
        if self.delivery_lease_s <= self.portal_total_timeout_s:
            raise ValueError(
                "RELEASE_BRIDGE_DELIVERY_LEASE_S must exceed RELEASE_BRIDGE_PORTAL_TOTAL_TIMEOUT_S"
            )
        try:
            self.signing_keys()
        except InvalidWebhookSecretError as exc:
            raise ValueError(f"RELEASE_BRIDGE_PORTAL_WEBHOOK_SECRET: {exc}") from exc
        self.retry_policy()
        self.breaker_config()
        return self

    def signing_keys(self) -> SigningKeys:
        current = self.portal_webhook_secret.get_secret_value()
        if not current and self.is_local:
            current = LOCAL_DEV_SECRET
        previous = self.portal_webhook_previous_secret
        previous_text = previous.get_secret_value() if previous is not None else ""
        if previous_text and self.portal_webhook_previous_secret_valid_until is None:
            raise InvalidWebhookSecretError(
                "a previous secret needs RELEASE_BRIDGE_PORTAL_WEBHOOK_PREVIOUS_SECRET_VALID_UNTIL"
            )
        return SigningKeys(
            current=WebhookSecret.parse(current),
            previous=WebhookSecret.parse(previous_text) if previous_text else None,
            previous_valid_until=(
                self.portal_webhook_previous_secret_valid_until if previous_text else None
            ),
        )

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            base=timedelta(seconds=self.retry_base_s),
            cap=timedelta(seconds=max(self.retry_cap_s, self.retry_base_s)),
            window=timedelta(hours=self.retry_window_h),
        )

    def breaker_config(self) -> BreakerConfig:
        return BreakerConfig(
            window=timedelta(seconds=self.breaker_window_s),
            bucket=timedelta(seconds=self.breaker_bucket_s),
            minimum_calls=self.breaker_minimum_calls,
            failure_rate_threshold=self.breaker_failure_rate,
            slow_call_threshold=timedelta(seconds=self.breaker_slow_call_s),
            signature_rejection_threshold=self.breaker_signature_rejections,
            cool_down=timedelta(seconds=self.breaker_cool_down_s),
            signature_cool_down=timedelta(seconds=self.breaker_signature_cool_down_s),
            half_open_probes=self.breaker_half_open_probes,
            half_open_successes=self.breaker_half_open_successes,
            probe_lease=timedelta(seconds=self.delivery_lease_s),
        )
