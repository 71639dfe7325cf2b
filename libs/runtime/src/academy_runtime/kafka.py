"""KafkaBroker construction; topics created (local/test) or checked (elsewhere) against
`contracts.topics` (works on Apache Kafka and Tansu)."""

import logging
from collections.abc import Iterable, Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry

from academy_runtime.settings import ServiceSettings
from contracts import topics
from contracts.topics import TopicSpec

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


class TopicsRefused(RuntimeError):
    """The cluster's topics are missing or differ from the declaration, and this service may
    not create them: what production must not paper over (a wrong bootstrap address would
    otherwise get an empty cluster built silently)."""

    def __init__(self, problems: Sequence[str], *, settings: ServiceSettings) -> None:
        prefix = settings.model_config.get("env_prefix", "")
        self.problems = list(problems)
        super().__init__(
            f"topics at {settings.kafka_bootstrap_servers} differ from contracts.topics: "
            + "; ".join(self.problems)
            + " (create them as deploy/README.md shows, or set "
            f"{prefix}KAFKA_CREATE_TOPICS=true to let this service create missing ones)"
        )


async def ensure_topics(settings: ServiceSettings, names: Iterable[str]) -> None:
    """Create the missing topics (`settings.creates_topics`: local/test, or when told to), or
    check them against the declaration and raise TopicsRefused naming each difference.

    Safe to call at every start and after a broker loss (memory-only brokers lose topics)."""
    wanted = [settings.topic_layout(name) for name in sorted(set(names))]
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"academy-{settings.service_name}-admin",
        request_timeout_ms=10_000,
    )
    await admin.start()
    try:
        existing = await partition_layouts(admin)
        if settings.creates_topics:
            await _create(admin, [spec for spec in wanted if spec.name not in existing])
            return
        problems = layout_problems(wanted, existing)
        present = [spec for spec in wanted if spec.name in existing]
        problems += config_problems(present, await described_configs(admin, present))
        if problems:
            raise TopicsRefused(problems, settings=settings)
    finally:
        await admin.close()


Layout = tuple[int, int]  # (partitions, replicas of the first partition)


def layout_problems(wanted: Sequence[TopicSpec], existing: dict[str, Layout]) -> list[str]:
    """What differs in existence, partition count and replication factor."""
    problems = []
    for spec in wanted:
        if spec.name not in existing:
            problems.append(f"{spec.name} is missing")
            continue
        partitions, replicas = existing[spec.name]
        if partitions != spec.partitions:
            problems.append(f"{spec.name} has {partitions} partitions, {spec.partitions} declared")
        if replicas != spec.replication_factor:
            problems.append(
                f"{spec.name} has replication factor {replicas}, {spec.replication_factor} declared"
            )
    return problems


def config_problems(
    wanted: Sequence[TopicSpec], described: dict[str, dict[str, str]] | None
) -> list[str]:
    """What differs in the configuration the broker described (None: it described none)."""
    if described is None:
        return []
    problems = []
    for spec in wanted:
        actual = described.get(spec.name, {})
        for key, value in spec.configs().items():
            if key in actual and actual[key] != value:
                problems.append(f"{spec.name} has {key}={actual[key]}, {value} declared")
    return problems


async def partition_layouts(admin: AIOKafkaAdminClient) -> dict[str, Layout]:
    """Every topic of the cluster. Metadata for all topics, never for named ones: naming a
    missing topic makes a broker that auto-creates topics (Tansu does) create it."""
    found = {}
    for topic in await admin.describe_topics():
        if topic["error_code"] != 0 or topic.get("is_internal"):
            continue
        partitions = topic["partitions"]
        replicas = len(partitions[0]["replicas"]) if partitions else 0
        found[topic["topic"]] = (len(partitions), replicas)
    return found


async def described_configs(
    admin: AIOKafkaAdminClient, specs: Sequence[TopicSpec]
) -> dict[str, dict[str, str]] | None:
    """name -> {config: value} as the broker describes them, or None when it does not
    answer DescribeConfigs (then existence, partitions and replication are what is checked)."""
    if not specs:
        return {}
    resources = [ConfigResource(ConfigResourceType.TOPIC, spec.name) for spec in specs]
    try:
        responses = await admin.describe_configs(resources)
    except KafkaError as exc:
        _say_once(
            "configs",
            "broker did not describe topic configs (%s); checked existence, "
            "partitions and replication only",
            exc,
        )
        return None
    described: dict[str, dict[str, str]] = {}
    for response in responses:
        for resource in response.to_object()["resources"]:
            if resource["error_code"] != 0:
                continue
            described[resource["resource_name"]] = {
                entry["config_names"]: entry["config_value"]
                for entry in resource["config_entries"]
                if entry["config_value"] is not None
            }
    return described


async def _create(admin: AIOKafkaAdminClient, missing: Sequence[TopicSpec]) -> None:
    if not missing:
        return
    response = await admin.create_topics(
        [
            NewTopic(
                spec.name,
                num_partitions=spec.partitions,
                replication_factor=spec.replication_factor,
                topic_configs=spec.configs(),
            )
            for spec in missing
        ]
    )
    failed = {
        error["topic"]: error["error_message"] or str(error["error_code"])
        for error in response.to_object()["topic_errors"]
        if error["error_code"] not in (0, TopicAlreadyExistsError.errno)
    }
    if failed:
        raise KafkaError(f"creating topics failed: {failed}")
    log.info("created topics", extra={"topics": [spec.name for spec in missing]})


_said: set[str] = set()


def _say_once(key: str, message: str, *args: object) -> None:
    """Log what stays true for the life of the process once, not at every check."""
    if key not in _said:
        _said.add(key)
        log.info(message, *args)
