"""Kafka topic names: one topic per producing service, plus the portal's."""

from typing import Final

CATALOGUE: Final = "academy.catalogue.v1"
ASSESSMENT: Final = "academy.assessment.v1"
RELEASE: Final = "academy.release.v1"
AUDIT: Final = "academy.audit.v1"
PORTAL: Final = "portal.events.v1"

ALL: Final = (CATALOGUE, ASSESSMENT, RELEASE, AUDIT, PORTAL)

#: Tenant id used for events that belong to no operator (catalogue content, for example).
PLATFORM_TENANT: Final = "_platform"


def dlq(topic: str) -> str:
    """The dead-letter topic for `topic`."""
    return f"{topic}.dlq"
