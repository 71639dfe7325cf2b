"""Topics created (local/test) or checked against `contracts.topics` (elsewhere), on real Tansu."""

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy import MetaData

from academy_runtime import kafka
from academy_runtime.routes import on
from academy_runtime.service import ServiceRuntime
from academy_runtime.settings import ServiceSettings
from academy_runtime.uow import UnitOfWork, UnitsOfWork
from academy_testkit.waiting import until
from contracts import Envelope, topics
from contracts.assessment import OperatorJurisdictionsSet
from contracts.mesh import Consumes

pytestmark = pytest.mark.integration

Settings = Callable[..., ServiceSettings]


@pytest.fixture
def settings(make_settings: Callable[..., Any]) -> Settings:
    def build(**overrides: Any) -> ServiceSettings:
        built: ServiceSettings = make_settings(ServiceSettings, **overrides)
        return built

    return build


@pytest.fixture
async def admin(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap, request_timeout_ms=10_000)
    await client.start()
    yield client
    await client.close()


def _topic() -> str:
    return f"academy.t{uuid.uuid4().hex[:8]}.v1"


async def test_local_mode_creates_missing_topics_with_the_declared_configuration(
    settings: Settings, admin: AIOKafkaAdminClient
) -> None:
    name = _topic()

    await kafka.ensure_topics(settings(), [name, topics.dlq(name)])

    layouts = await kafka.partition_layouts(admin)
    assert layouts[name] == (4, 1)
    assert layouts[topics.dlq(name)] == (4, 1)
    described = await kafka.described_configs(
        admin, [topics.spec(name), topics.spec(topics.dlq(name))]
    )
    assert described is not None
    assert described[name]["retention.ms"] == str(topics.EVENT_RETENTION_MS)
    assert described[topics.dlq(name)]["retention.ms"] == str(topics.DLQ_RETENTION_MS)
    assert described[name]["min.insync.replicas"] == "1"  # one broker: below its one replica


async def test_checking_refuses_missing_topics_naming_them_and_creates_nothing(
    settings: Settings, admin: AIOKafkaAdminClient
) -> None:
    name = _topic()

    with pytest.raises(kafka.TopicsRefused) as refused:
        await kafka.ensure_topics(settings(kafka_create_topics=False), [name])

    assert f"{name} is missing" in str(refused.value)
    assert "ACADEMY_KAFKA_CREATE_TOPICS=true" in str(refused.value)
    assert name not in await admin.list_topics(), "the check must not auto-create the topic"


async def test_checking_names_each_difference_in_partitions_and_configuration(
    settings: Settings, admin: AIOKafkaAdminClient
) -> None:
    name = _topic()
    await admin.create_topics([NewTopic(name, 2, 1, topic_configs={"retention.ms": "86400000"})])

    with pytest.raises(kafka.TopicsRefused) as refused:
        await kafka.ensure_topics(settings(kafka_create_topics=False), [name])

    assert refused.value.problems == [
        f"{name} has 2 partitions, 4 declared",
        f"{name} has retention.ms=86400000, {topics.EVENT_RETENTION_MS} declared",
    ]


async def test_checking_accepts_topics_laid_out_as_declared(settings: Settings) -> None:
    names = [_topic(), topics.dlq(_topic())]
    await kafka.ensure_topics(settings(), names)

    await kafka.ensure_topics(settings(kafka_create_topics=False), names)


async def test_a_service_whose_topics_are_refused_never_starts_consuming_and_fails_liveness(
    settings: Settings,
) -> None:
    schema = f"topics_{uuid.uuid4().hex[:6]}"
    runtime = ServiceRuntime(
        settings(kafka_create_topics=False), schema=schema, metadata=MetaData(schema=schema)
    )
    missing = _topic()

    async def handle(_event: Envelope[OperatorJurisdictionsSet], *, uow: UnitOfWork) -> None:
        raise AssertionError("nothing may be consumed")

    runtime.subscribe(
        Consumes("refused", (missing,), (OperatorJurisdictionsSet,)),
        UnitsOfWork(runtime, UnitOfWork),
        on(OperatorJurisdictionsSet, handle),
    )
    await runtime.start()
    try:
        await until(lambda: "topics" in runtime.liveness(), "liveness to fail", within=30)
        assert f"{missing} is missing" in runtime.liveness()["topics"]
        assert not runtime.broker_started
    finally:
        await runtime.stop(drain_s=1.0)
