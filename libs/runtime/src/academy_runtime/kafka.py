"""KafkaBroker construction and idempotent topic creation (works on Apache Kafka and Tansu)."""

import contextlib
import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry

from academy_runtime import dlq
from academy_runtime.settings import ServiceSettings
from contracts import topics

log = logging.getLogger(__name__)


def make_broker(settings: ServiceSettings, *, registry: CollectorRegistry) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"academy-{settings.service_name}",
        acks="all",
        enable_idempotence=False,  # outbox + idempotent consumers instead of EOS
        request_timeout_ms=15_000,
        middlewares=[
            KafkaPrometheusMiddleware(registry=registry, app_name=settings.service_name),
        ],
        logger=logging.getLogger(f"faststream.{settings.service_name}"),
        graceful_timeout=15.0,
    )


def with_dlqs(names: Iterable[str]) -> list[str]:
    result: list[str] = []
    for name in names:
        result += [name, topics.dlq(name)]
    return result


def topic_config(name: str) -> dict[str, str]:
    """A topic's configuration at creation: dead letters (and the record of what was done with
    them) are kept `dlq.RETENTION_MS`; event topics keep the cluster's default retention."""
    if topics.is_dlq(name) or name == topics.OPERATIONS:
        return {"retention.ms": str(dlq.RETENTION_MS)}
    return {}


async def ensure_topics(settings: ServiceSettings, names: Iterable[str]) -> None:
    """Create topics that do not exist; safe to call at every start and after broker loss."""
    wanted = sorted(set(names))
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"academy-{settings.service_name}-admin",
        request_timeout_ms=10_000,
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        if not missing:
            return
        new = [
            NewTopic(
                name,
                num_partitions=settings.kafka_topic_partitions,
                replication_factor=settings.kafka_replication_factor,
                topic_configs=topic_config(name),
            )
            for name in missing
        ]
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics(new)
        log.info("created topics", extra={"topics": missing})
    finally:
        await admin.close()
