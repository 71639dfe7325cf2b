"""What the handlers need from the outside world, as Protocols (SQL adapters; fakes in tests)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from academy_runtime.uow import EventSink
from catalogue.domain.history import Publication, Sighting
from catalogue.domain.resolved import ResolvedCatalogue


@dataclass(frozen=True)
class NewPublication:
    seq: int
    version: str
    previous_version: str | None
    published_at: datetime
    source: str
    publisher: str
    event_ids: Sequence[str]
    changes: Sequence[dict[str, Any]]


class PublicationStore(Protocol):
    """Published catalogue versions: snapshots, the publication log and their indexes."""

    async def lock_publishing(self) -> None:
        """Wait for any other publish to commit; released when this unit of work ends."""
        ...

    async def save_version(self, catalogue: ResolvedCatalogue) -> None:
        """Store the snapshot and its indexes once; a version already stored is left as is."""
        ...

    async def add_publication(self, new: NewPublication) -> None: ...

    async def latest(self) -> Publication | None: ...

    async def publication(self, seq: int) -> Publication | None: ...

    async def publications(self, *, limit: int, before: int | None = None) -> list[Publication]:
        """Newest first; `before` pages back from a publication number."""
        ...

    async def versions_starting_with(self, prefix: str, *, limit: int = 10) -> list[str]:
        """Published catalogue versions with this hex prefix (newest publication first)."""
        ...

    async def latest_publication_of(self, version: str) -> Publication | None: ...

    async def snapshot(self, version: str) -> dict[str, Any] | None: ...

    async def catalogue_with_track(self, track_key: str, version: str) -> str | None:
        """A stored catalogue version that contains this track version, if any."""
        ...

    async def track_sightings(self, track_key: str) -> list[Sighting]:
        """Every publication's version of the track, oldest publication first."""
        ...

    async def module_sightings(self, module_id: str, jurisdiction: str | None) -> list[Sighting]:
        """Every publication's version of the module per jurisdiction, oldest first."""
        ...


class CatalogueUnit(Protocol):
    """Everything one transaction offers; opened by entrypoints, built by the adapters."""

    publications: PublicationStore
    events: EventSink
