"""Publication history: which versions of a track or module each publication contained."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PublicationRef:
    """One publication: its number (1, 2, 3…), the catalogue version it made current, when."""

    seq: int
    catalogue_version: str
    published_at: datetime


@dataclass(frozen=True)
class Publication:
    """A publication as recorded: what it replaced, who published it from where, what it emitted."""

    ref: PublicationRef
    previous_version: str | None
    source: str
    publisher: str
    event_ids: tuple[str, ...]
    change_count: int

    @property
    def seq(self) -> int:
        return self.ref.seq

    @property
    def version(self) -> str:
        return self.ref.catalogue_version


@dataclass(frozen=True)
class Sighting:
    """A track or module version seen in one publication (for one jurisdiction)."""

    publication: PublicationRef
    version: str
    jurisdiction: str
    declared_version: str = ""
    title: str = ""
    origin: str = ""


@dataclass(frozen=True)
class VersionSpan:
    """One version across the publications that contained it."""

    version: str
    first: PublicationRef
    last: PublicationRef
    jurisdictions: tuple[str, ...]
    current: bool
    declared_version: str = ""
    title: str = ""
    origin: str = ""


def version_spans(sightings: Iterable[Sighting], *, latest_seq: int | None) -> list[VersionSpan]:
    """Group sightings by version, ordered by first publication, then first jurisdiction.

    A version is `current` when the latest publication contains it. Title and declared
    version come from the version's latest sighting (they are part of the content, so they
    are the same in every sighting of one version).
    """
    grouped: dict[str, list[Sighting]] = {}
    for sighting in sorted(sightings, key=lambda s: (s.publication.seq, s.jurisdiction)):
        grouped.setdefault(sighting.version, []).append(sighting)
    spans = []
    for version, seen in grouped.items():
        last = seen[-1]
        spans.append(
            VersionSpan(
                version=version,
                first=seen[0].publication,
                last=last.publication,
                jurisdictions=tuple(sorted({s.jurisdiction for s in seen})),
                current=latest_seq is not None and last.publication.seq == latest_seq,
                declared_version=last.declared_version,
                title=last.title,
                origin=last.origin,
            )
        )
    return sorted(spans, key=lambda span: (span.first.seq, span.jurisdictions, span.version))
