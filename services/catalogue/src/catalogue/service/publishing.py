"""Publish a resolved catalogue: store the version and stage its events in one unit of work."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from catalogue.domain.diff import Change, diff
from catalogue.domain.history import Publication
from catalogue.domain.publishing import publication_events
from catalogue.domain.resolved import ResolvedCatalogue
from catalogue.domain.snapshot import from_snapshot
from catalogue.service.ports import CatalogueUnit, NewPublication, PublicationStore
from contracts import Envelope, topics
from contracts.base import EventData
from contracts.catalogue import JurisdictionAdded, ReleasePolicyPublished, TrackPublished


@dataclass(frozen=True)
class PublishResult:
    """What a publish did; `published` is False when the content equals the latest version."""

    published: bool
    seq: int
    version: str
    previous_version: str | None
    events: tuple[Envelope[Any], ...]
    changes: tuple[Change, ...]


async def publish(
    catalogue: ResolvedCatalogue,
    *,
    uow: CatalogueUnit,
    source: str,
    publisher: str,
    now: datetime,
) -> PublishResult:
    """Make `catalogue` the latest published version, emitting only what changed.

    Concurrent publishes queue on the store's publishing lock, so each one compares against
    the version committed just before it and the history stays linear. Publishing the latest
    version again records nothing and emits nothing. The caller's unit of work commits.
    """
    store = uow.publications
    await store.lock_publishing()
    latest = await store.latest()
    if latest is not None and latest.version == catalogue.version:
        return PublishResult(False, latest.seq, latest.version, latest.previous_version, (), ())
    previous = await _catalogue_of(store, latest)
    changes = tuple(diff(previous or _empty_like(catalogue), catalogue))
    seq = 1 if latest is None else latest.seq + 1
    await store.save_version(catalogue)
    envelopes = tuple(
        [
            await uow.events.emit(data, tenant=topics.PLATFORM_TENANT, subject=_subject(data))
            for data in publication_events(catalogue, published_at=now, previous=previous)
        ]
    )
    await store.add_publication(
        NewPublication(
            seq=seq,
            version=catalogue.version,
            previous_version=None if latest is None else latest.version,
            published_at=now,
            source=source,
            publisher=publisher,
            event_ids=[e.id for e in envelopes],
            changes=[change.to_dict() for change in changes],
        )
    )
    return PublishResult(
        True, seq, catalogue.version, None if latest is None else latest.version, envelopes, changes
    )


async def _catalogue_of(
    store: PublicationStore, publication: Publication | None
) -> ResolvedCatalogue | None:
    if publication is None:
        return None
    data = await store.snapshot(publication.version)
    if data is None:  # impossible with the foreign key, but say so clearly if it happens
        raise LookupError(f"snapshot of catalogue version {publication.version} is missing")
    return from_snapshot(data)


def _subject(data: EventData) -> str | None:
    if isinstance(data, TrackPublished):
        return data.track_key
    if isinstance(data, JurisdictionAdded):
        return data.jurisdiction
    if isinstance(data, ReleasePolicyPublished):
        return data.policy.jurisdiction
    return None


def _empty_like(catalogue: ResolvedCatalogue) -> ResolvedCatalogue:
    """The baseline of a first publication: same catalogue, no jurisdictions or tracks."""
    return ResolvedCatalogue(
        id=catalogue.id,
        title=catalogue.title,
        notice=catalogue.notice,
        roles=(),
        tooling=(),
        jurisdictions=(),
        tracks=(),
    )
