"""Kafka topic names: one topic per producing service, plus the portal's."""

from typing import Final

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
