"""Who produces which topic and which event types each consumer acts on: the one declaration.

Each service wires its runtime from its `Participant` (its produced topics, and per consumer
the types it registers handlers for; the runtime refuses handlers that differ from it), and
the AsyncAPI document (`contracts.asyncapi`) is generated from the same declarations.
"""

from dataclasses import dataclass

from contracts import assessment, catalogue, topics
from contracts.base import EventData
from contracts.registry import EVENT_MODELS


@dataclass(frozen=True)
class Consumes:
    """One consumer: its name (metrics `handler` label, consumer group suffix), its topics and
    the event types it acts on; other types of those topics are acknowledged unread."""

    name: str
    topics: tuple[str, ...]
    types: tuple[type[EventData], ...]


@dataclass(frozen=True)
class Participant:
    """A service (or tool) of the mesh: what it publishes and what it consumes."""

    name: str
    produces: tuple[str, ...]
    consumes: tuple[Consumes, ...] = ()

    def consumer(self, name: str) -> Consumes:
        for consumes in self.consumes:
            if consumes.name == name:
                return consumes
        raise KeyError(f"{self.name} declares no consumer {name!r}")

    @property
    def consumed_topics(self) -> list[str]:
        return sorted({topic for c in self.consumes for topic in c.topics})


CATALOGUE = Participant("catalogue", produces=(topics.CATALOGUE,))
ASSESSMENT = Participant(
    "assessment",
    produces=(topics.ASSESSMENT,),
    consumes=(
        Consumes(
            "catalogue",
            (topics.CATALOGUE,),
            (
                catalogue.TrackPublished,
                catalogue.ReleasePolicyPublished,
                catalogue.JurisdictionAdded,
            ),
        ),
    ),
)
RELEASE_BRIDGE = Participant(
    "release-bridge",
    produces=(topics.RELEASE,),
    consumes=(
        Consumes(
            "assessment",
            (topics.ASSESSMENT,),
            (
                assessment.OperatorJurisdictionsSet,
                assessment.CertificationIssued,
                assessment.CertificationExpiring,
                assessment.CertificationExpired,
                assessment.CertificationRevoked,
            ),
        ),
        Consumes("catalogue", (topics.CATALOGUE,), (catalogue.ReleasePolicyPublished,)),
    ),
)
#: Every event of every type joins the audit log.
AUDIT_EXPORT = Participant(
    "audit-export",
    produces=(topics.AUDIT,),
    consumes=(Consumes("audit-ingest", topics.ALL, EVENT_MODELS),),
)
PORTAL = Participant("portal", produces=(topics.PORTAL,))
#: `academy dlq replay|purge`: the operator tool records what it did.
OPERATIONS = Participant("operations", produces=(topics.OPERATIONS,))

PARTICIPANTS: tuple[Participant, ...] = (
    CATALOGUE,
    ASSESSMENT,
    RELEASE_BRIDGE,
    AUDIT_EXPORT,
    PORTAL,
    OPERATIONS,
)


def types_on(topic: str) -> frozenset[str]:
    """The CloudEvents types declared to travel on `topic`."""
    return frozenset(model.ce_type for model in EVENT_MODELS if model.topic == topic)
