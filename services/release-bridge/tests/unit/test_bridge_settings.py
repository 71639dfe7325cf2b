"""Settings: secrets refused or parsed up front, rotation co-signing, consistent timings."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from standardwebhooks.webhooks import Webhook

from release_bridge.domain.signing import WebhookSecret, signed_headers
from release_bridge.settings import LOCAL_DEV_SECRET, ReleaseBridgeSettings

NEW = WebhookSecret.generate()
OLD = WebhookSecret.generate()


def test_production_refuses_to_start_without_a_signing_secret() -> None:
    with pytest.raises(ValidationError, match="RELEASE_BRIDGE_PORTAL_WEBHOOK_SECRET"):
        ReleaseBridgeSettings(environment="production", database_url="postgresql://db/x")


def test_local_mode_signs_with_the_reference_portals_development_secret() -> None:
    keys = ReleaseBridgeSettings(environment="local").signing_keys()
    assert keys.current == WebhookSecret.parse(LOCAL_DEV_SECRET)


def test_malformed_secret_is_refused_naming_the_variable() -> None:
    with pytest.raises(ValidationError, match=r"RELEASE_BRIDGE_PORTAL_WEBHOOK_SECRET.*whsec_"):
        ReleaseBridgeSettings(environment="test", portal_webhook_secret="hunter2")


def test_during_rotation_grace_a_portal_holding_only_the_old_secret_still_verifies() -> None:
    now = datetime.now(UTC)
    settings = ReleaseBridgeSettings(
        environment="test",
        portal_webhook_secret=NEW.encoded(),
        portal_webhook_previous_secret=OLD.encoded(),
        portal_webhook_previous_secret_valid_until=now + timedelta(hours=1),
    )
    headers = signed_headers(settings.signing_keys(), webhook_id="r-1", body=b"{}", at=now)

    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(OLD.encoded()).verify(b"{}", headers)
    Webhook(NEW.encoded()).verify(b"{}", headers)


def test_previous_secret_without_an_end_of_grace_is_refused() -> None:
    with pytest.raises(ValidationError, match="VALID_UNTIL"):
        ReleaseBridgeSettings(
            environment="test",
            portal_webhook_secret=NEW.encoded(),
            portal_webhook_previous_secret=OLD.encoded(),
        )


def test_lease_shorter_than_a_request_is_refused() -> None:
    with pytest.raises(ValidationError, match="DELIVERY_LEASE_S"):
        ReleaseBridgeSettings(environment="test", delivery_lease_s=10, portal_total_timeout_s=15)


def test_defaults_retry_for_72_hours_and_open_after_three_signature_rejections() -> None:
    settings = ReleaseBridgeSettings(environment="test")
    assert settings.retry_policy().window == timedelta(hours=72)
    assert settings.breaker_config().signature_rejection_threshold == 3
    assert settings.ack_slo_s == 300
