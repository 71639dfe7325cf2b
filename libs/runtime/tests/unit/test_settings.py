import os
from typing import ClassVar

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from academy_runtime.placeholders import placeholder_reason
from academy_runtime.settings import ServiceSettings, describe, migration_settings
from contracts import topics

REAL_DB = "postgresql://academy:s3cr3t-from-vault@db/academy"
BROKERS = "kafka-1:9092,kafka-2:9092"


class WidgetSettings(ServiceSettings):
    service_name: ClassVar[str] = "widget"
    model_config = SettingsConfigDict(env_prefix="WIDGET_", extra="ignore")

    signing_secret: SecretStr = SecretStr("change-me")


@pytest.fixture(autouse=True)
def _no_widget_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("WIDGET_"):
            monkeypatch.delenv(name)


def test_placeholder_secret_is_refused_in_production_naming_the_variable() -> None:
    with pytest.raises(ValidationError, match="WIDGET_SIGNING_SECRET holds a placeholder"):
        WidgetSettings(
            environment="production", database_url=REAL_DB, kafka_bootstrap_servers=BROKERS
        )


def test_placeholder_secret_is_allowed_in_local_mode() -> None:
    assert WidgetSettings(environment="local").signing_secret.get_secret_value() == "change-me"


def test_real_secrets_pass_in_production() -> None:
    settings = WidgetSettings(
        environment="production",
        database_url=REAL_DB,
        kafka_bootstrap_servers=BROKERS,
        signing_secret="whsec_c29tZXRoaW5nLXJlYWxseS1yYW5kb20=",
    )
    assert settings.group_id == "academy-widget"


def test_production_without_database_url_or_brokers_is_refused_naming_both_variables() -> None:
    with pytest.raises(ValidationError) as refused:
        WidgetSettings(environment="production", signing_secret="s3cr3t-from-vault")

    message = str(refused.value)
    assert "WIDGET_DATABASE_URL is required outside local/test (not set)" in message
    assert "WIDGET_KAFKA_BOOTSTRAP_SERVERS is required outside local/test (not set)" in message


def test_production_refuses_an_empty_broker_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIDGET_KAFKA_BOOTSTRAP_SERVERS", " ")
    with pytest.raises(
        ValidationError, match=r"WIDGET_KAFKA_BOOTSTRAP_SERVERS is required.*\(empty\)"
    ):
        WidgetSettings(database_url=REAL_DB, signing_secret="s3cr3t-from-vault")


def test_production_reads_the_required_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WIDGET_DATABASE_URL", REAL_DB)
    monkeypatch.setenv("WIDGET_KAFKA_BOOTSTRAP_SERVERS", BROKERS)
    monkeypatch.setenv("WIDGET_SIGNING_SECRET", "s3cr3t-from-vault")

    settings = WidgetSettings()

    assert settings.environment == "production"
    assert settings.kafka_bootstrap_servers == BROKERS


def test_local_and_test_mode_fall_back_to_the_local_database_and_broker() -> None:
    for environment in ("local", "test"):
        settings = WidgetSettings(environment=environment)
        assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
        assert "127.0.0.1:5432" in settings.database_url.get_secret_value()


@pytest.mark.parametrize(
    "value",
    [
        "postgresql://postgres@db.example.internal/x",
        "postgresql+asyncpg://academy_app:Xq7-9vLr2@example-db.internal:5432/academy",
        "postgresql://app:Tr0ub4dor-3@placeholder.changeme.internal/academy",
        "whsec_ZXhhbXBsZS1sb29raW5nLWJ1dC1yZWFs",
        "correct-horse-battery-staple",
    ],
)
def test_real_values_that_merely_contain_a_placeholder_word_are_accepted(value: str) -> None:
    assert placeholder_reason(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "changeme",
        "CHANGE-ME",
        "change-me-in-production",
        "placeholder",
        "dev-only-secret",
        "django-insecure-3x4mpl3",
        "<password>",
        "{{ webhook_secret }}",
        "${WEBHOOK_SECRET}",
        "xxxxxxxx",
        "********",
        "your-secret-here",
        "postgresql://academy:changeme@db.internal/academy",
        "postgresql://academy:<password>@db.internal/academy",
        "postgresql://academy:@db.internal/academy",
    ],
)
def test_known_placeholder_values_and_shapes_are_recognised(value: str) -> None:
    assert placeholder_reason(value) is not None


def test_a_placeholder_password_in_the_database_url_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError, match="WIDGET_DATABASE_URL holds a placeholder"):
        WidgetSettings(
            environment="production",
            database_url="postgresql://academy:change-me@db.internal/academy",
            kafka_bootstrap_servers=BROKERS,
            signing_secret="s3cr3t-from-vault",
        )


def test_migration_settings_read_only_the_environment_and_the_database_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WIDGET_DATABASE_URL", REAL_DB)
    migrating = migration_settings(WidgetSettings)

    settings = migrating()

    assert settings.database_url.get_secret_value() == REAL_DB
    assert set(migrating.model_fields) == {"environment", "database_url"}


def test_migration_settings_refuse_a_missing_database_url_naming_the_variable() -> None:
    with pytest.raises(ValidationError, match="WIDGET_DATABASE_URL is required outside"):
        migration_settings(WidgetSettings)()


def test_topics_are_sized_for_local_runs_and_as_declared_elsewhere() -> None:
    local = WidgetSettings(environment="test")
    production = WidgetSettings(
        environment="production",
        database_url=REAL_DB,
        kafka_bootstrap_servers=BROKERS,
        signing_secret="s3cr3t-from-vault",
    )

    assert (local.topic_partitions, local.topic_replication_factor) == (4, 1)
    assert local.creates_topics
    assert local.topic_layout(topics.CATALOGUE).min_insync_replicas == 1
    assert not production.creates_topics
    assert production.topic_layout(topics.CATALOGUE) == topics.spec(topics.CATALOGUE)
    assert production.topic_layout(topics.CATALOGUE).min_insync_replicas == 2


def test_creating_topics_outside_local_must_be_asked_for() -> None:
    told = WidgetSettings(
        environment="production",
        database_url=REAL_DB,
        kafka_bootstrap_servers=BROKERS,
        signing_secret="s3cr3t-from-vault",
        kafka_create_topics=True,
    )
    assert told.creates_topics


def test_settings_are_read_from_the_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIDGET_ENVIRONMENT", "local")
    monkeypatch.setenv("WIDGET_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "not-this-one:9092")
    assert WidgetSettings().kafka_bootstrap_servers == "kafka-1:9092"


def test_describe_lists_prefixed_variable_names_and_hides_secret_defaults() -> None:
    rows = {name: default for name, _, default in describe(WidgetSettings)}
    assert rows["WIDGET_SIGNING_SECRET"] == "(secret)"
    assert rows["WIDGET_HTTP_PORT"] == 8000
    assert list(rows)[:2] == ["WIDGET_ENVIRONMENT", "WIDGET_DATABASE_URL"]
