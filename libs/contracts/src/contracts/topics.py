"""Kafka topics: their names, and the one declaration of how each is laid out.

`DECLARED` is what the services create (local/test) or check at start (elsewhere), what
deploy/compose.yaml's kafka-init and the Kubernetes topics Job create, and what
deploy/README.md's topic table shows; deploy/tests fails when any of them drifts from it.
"""

from dataclasses import dataclass, replace
from typing import Final, Literal

CATALOGUE: Final = "academy.catalogue.v1"
ASSESSMENT: Final = "academy.assessment.v1"
RELEASE: Final = "academy.release.v1"
AUDIT: Final = "academy.audit.v1"
PORTAL: Final = "portal.events.v1"
#: What operators (SREs, support) did to the mesh itself: dead letters replayed or purged.
OPERATIONS: Final = "academy.operations.v1"

ALL: Final = (CATALOGUE, ASSESSMENT, RELEASE, AUDIT, PORTAL, OPERATIONS)

#: Tenant id used for events that belong to no operator (catalogue content, for example).
PLATFORM_TENANT: Final = "_platform"


DLQ_SUFFIX: Final = ".dlq"


def dlq(topic: str) -> str:
    """The dead-letter topic for `topic`."""
    return f"{topic}{DLQ_SUFFIX}"


def is_dlq(topic: str) -> bool:
    return topic.endswith(DLQ_SUFFIX)


def original(dlq_topic: str) -> str:
    """The topic a dead-letter topic holds records of (`dlq`'s inverse)."""
    if not is_dlq(dlq_topic):
        raise ValueError(f"{dlq_topic!r} is not a dead-letter topic (no {DLQ_SUFFIX!r} suffix)")
    return dlq_topic.removesuffix(DLQ_SUFFIX)


# -- layout ----------------------------------------------------------------------------------

DAY_MS: Final = 24 * 3600 * 1000
#: Every topic's partitions on the production cluster: divides evenly by 2, 3, 4, 6 and 12
#: consumers and bounds every consumer group at 12 members (deploy/README.md, Scaling note).
PARTITIONS: Final = 12
#: Copies of every partition on the production cluster (three brokers).
REPLICATION_FACTOR: Final = 3
#: Copies that must have a record before `acks=all` succeeds: one broker may be down.
MIN_INSYNC_REPLICAS: Final = 2
#: Events stay a week: far longer than any consumer may lag before an alert pages.
EVENT_RETENTION_MS: Final = 7 * DAY_MS
#: Dead letters (and the record of what was done with them) stay two weeks for `academy dlq`.
DLQ_RETENTION_MS: Final = 14 * DAY_MS


@dataclass(frozen=True)
class TopicSpec:
    """One topic as the production cluster holds it."""

    name: str
    retention_ms: int
    partitions: int = PARTITIONS
    replication_factor: int = REPLICATION_FACTOR
    min_insync_replicas: int = MIN_INSYNC_REPLICAS
    cleanup_policy: Literal["delete", "compact"] = "delete"

    def configs(self) -> dict[str, str]:
        """The topic-level configuration it is created with (and checked against)."""
        return {
            "cleanup.policy": self.cleanup_policy,
            "min.insync.replicas": str(self.min_insync_replicas),
            "retention.ms": str(self.retention_ms),
        }

    def sized(self, *, partitions: int, replication_factor: int) -> "TopicSpec":
        """The same topic on a cluster of another size (local: one broker, fewer partitions);
        `min.insync.replicas` stays below the replica count so one broker may be down."""
        return replace(
            self,
            partitions=partitions,
            replication_factor=replication_factor,
            min_insync_replicas=min(self.min_insync_replicas, max(1, replication_factor - 1)),
        )


def _declare(name: str, retention_ms: int) -> tuple[TopicSpec, TopicSpec]:
    """A topic and its dead-letter topic."""
    return TopicSpec(name, retention_ms), TopicSpec(dlq(name), DLQ_RETENTION_MS)


#: Every topic of the mesh, dead-letter topics included.
DECLARED: Final[tuple[TopicSpec, ...]] = (
    *_declare(CATALOGUE, EVENT_RETENTION_MS),
    *_declare(ASSESSMENT, EVENT_RETENTION_MS),
    *_declare(RELEASE, EVENT_RETENTION_MS),
    *_declare(AUDIT, EVENT_RETENTION_MS),
    *_declare(PORTAL, EVENT_RETENTION_MS),
    *_declare(OPERATIONS, DLQ_RETENTION_MS),
)
_BY_NAME: Final = {spec.name: spec for spec in DECLARED}


def spec(name: str) -> TopicSpec:
    """The declared layout of `name`; an undeclared topic (a test's own) is laid out like
    the declared topics of its kind (events, or dead letters)."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    return TopicSpec(name, DLQ_RETENTION_MS if is_dlq(name) else EVENT_RETENTION_MS)


def is_declared(name: str) -> bool:
    return name in _BY_NAME
