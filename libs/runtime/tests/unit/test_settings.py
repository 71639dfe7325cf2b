from typing import ClassVar

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from academy_runtime.settings import ServiceSettings, describe


class WidgetSettings(ServiceSettings):
    service_name: ClassVar[str] = "widget"
    model_config = SettingsConfigDict(env_prefix="WIDGET_", extra="ignore")

    signing_secret: SecretStr = SecretStr("change-me")


def test_placeholder_secret_is_refused_in_production_naming_the_variable() -> None:
    with pytest.raises(ValidationError, match="WIDGET_SIGNING_SECRET holds a placeholder"):
        WidgetSettings(environment="production", database_url="postgresql://u:pw@db/academy")


def test_placeholder_secret_is_allowed_in_local_mode() -> None:
    assert WidgetSettings(environment="local").signing_secret.get_secret_value() == "change-me"


def test_real_secrets_pass_in_production() -> None:
    settings = WidgetSettings(
        environment="production",
        database_url="postgresql://academy:s3cr3t-from-vault@db/academy",
        signing_secret="whsec_c29tZXRoaW5nLXJlYWxseS1yYW5kb20=",
    )
    assert settings.group_id == "academy-widget"


def test_settings_are_read_from_the_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIDGET_ENVIRONMENT", "local")
    monkeypatch.setenv("WIDGET_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "not-this-one:9092")
    assert WidgetSettings().kafka_bootstrap_servers == "kafka-1:9092"


def test_describe_lists_prefixed_variable_names_and_hides_secret_defaults() -> None:
    rows = {name: default for name, _, default in describe(WidgetSettings)}
    assert rows["WIDGET_SIGNING_SECRET"] == "(secret)"
    assert rows["WIDGET_HTTP_PORT"] == 8000
