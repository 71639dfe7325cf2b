"""Published catalogue versions in Postgres: snapshots, the publication log and their indexes."""

import zlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.adapters.orm import (
    catalogue_versions,
    module_index,
    outbox,
    publications,
    track_index,
)
from catalogue.domain.history import Publication, PublicationRef, Sighting
from catalogue.domain.resolved import ResolvedCatalogue
from catalogue.domain.snapshot import snapshot
from catalogue.service.ports import NewPublication

#: Held for the whole publishing transaction, so publications form one linear history.
PUBLISH_LOCK = zlib.crc32(b"catalogue:publish")


class SqlPublicationStore:
    """Implements service.ports.PublicationStore inside one unit of work's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # -- writes ----------------------------------------------------------------------------
    async def lock_publishing(self) -> None:
        """Wait for any other publish to commit; released when this transaction ends."""
        await self._session.execute(select(func.pg_advisory_xact_lock(PUBLISH_LOCK)))

    async def save_version(self, catalogue: ResolvedCatalogue) -> None:
        """Store the snapshot and its indexes once; a version already stored is left as is."""
        stored = await self._session.execute(
            insert(catalogue_versions)
            .values(version=catalogue.version, snapshot=snapshot(catalogue))
            .on_conflict_do_nothing()
            .returning(catalogue_versions.c.version)
        )
        if stored.first() is None:
            return
        tracks = [
            {
                "catalogue_version": catalogue.version,
                "track_key": t.key,
                "jurisdiction": t.jurisdiction,
                "role": t.role,
                "version": t.version,
            }
            for t in catalogue.tracks
        ]
        modules = {
            (t.jurisdiction, m.id): {
                "catalogue_version": catalogue.version,
                "jurisdiction": t.jurisdiction,
                "module_id": m.id,
                "version": m.version,
                "declared_version": m.declared_version,
                "title": m.title,
                "origin": m.origin,
            }
            for t in catalogue.tracks
            for m in t.modules
        }
        if tracks:
            await self._session.execute(insert(track_index), tracks)
        if modules:
            await self._session.execute(insert(module_index), list(modules.values()))

    async def add_publication(self, new: NewPublication) -> None:
        await self._session.execute(
            insert(publications).values(
                seq=new.seq,
                version=new.version,
                previous_version=new.previous_version,
                published_at=new.published_at,
                source=new.source,
                publisher=new.publisher,
                event_ids=list(new.event_ids),
                changes=list(new.changes),
            )
        )

    # -- publications ----------------------------------------------------------------------
    async def latest(self) -> Publication | None:
        found = await self.publications(limit=1)
        return found[0] if found else None

    async def publication(self, seq: int) -> Publication | None:
        row = (await self._session.execute(_publication_query().where(_p.seq == seq))).first()
        return None if row is None else _publication(row)

    async def publications(self, *, limit: int, before: int | None = None) -> list[Publication]:
        """Newest first; `before` pages back from a publication number."""
        query = _publication_query().order_by(_p.seq.desc()).limit(limit)
        if before is not None:
            query = query.where(_p.seq < before)
        return [_publication(row) for row in await self._session.execute(query)]

    async def versions_starting_with(self, prefix: str, *, limit: int = 10) -> list[str]:
        """Published catalogue versions with this hex prefix (newest publication first)."""
        query = (
            select(_p.version, func.max(_p.seq).label("seq"))
            .where(_p.version.startswith(prefix, autoescape=True))
            .group_by(_p.version)
            .order_by(func.max(_p.seq).desc())
            .limit(limit)
        )
        return [row.version for row in await self._session.execute(query)]

    async def latest_publication_of(self, version: str) -> Publication | None:
        query = _publication_query().where(_p.version == version).order_by(_p.seq.desc()).limit(1)
        row = (await self._session.execute(query)).first()
        return None if row is None else _publication(row)

    # -- content ---------------------------------------------------------------------------
    async def snapshot(self, version: str) -> dict[str, Any] | None:
        data = await self._session.scalar(
            select(catalogue_versions.c.snapshot).where(catalogue_versions.c.version == version)
        )
        return None if data is None else dict(data)

    async def catalogue_with_track(self, track_key: str, version: str) -> str | None:
        """A stored catalogue version that contains this track version, if any."""
        return await self._session.scalar(
            select(track_index.c.catalogue_version)
            .where(track_index.c.track_key == track_key, track_index.c.version == version)
            .limit(1)
        )

    async def track_sightings(self, track_key: str) -> list[Sighting]:
        t = track_index
        query = (
            select(_p.seq, _p.version.label("cv"), _p.published_at, t.c.version, t.c.jurisdiction)
            .join(t, t.c.catalogue_version == _p.version)
            .where(t.c.track_key == track_key)
            .order_by(_p.seq)
        )
        return [
            Sighting(_ref(row), row.version, row.jurisdiction)
            for row in await self._session.execute(query)
        ]

    async def module_sightings(self, module_id: str, jurisdiction: str | None) -> list[Sighting]:
        m = module_index
        query = (
            select(
                _p.seq,
                _p.version.label("cv"),
                _p.published_at,
                m.c.version,
                m.c.jurisdiction,
                m.c.declared_version,
                m.c.title,
                m.c.origin,
            )
            .join(m, m.c.catalogue_version == _p.version)
            .where(m.c.module_id == module_id)
            .order_by(_p.seq, m.c.jurisdiction)
        )
        if jurisdiction is not None:
            query = query.where(m.c.jurisdiction == jurisdiction)
        return [
            Sighting(
                _ref(row),
                row.version,
                row.jurisdiction,
                declared_version=row.declared_version,
                title=row.title,
                origin=row.origin,
            )
            for row in await self._session.execute(query)
        ]


_p = publications.c


def _publication_query() -> Any:
    return select(
        _p.seq,
        _p.version.label("cv"),
        _p.published_at,
        _p.previous_version,
        _p.source,
        _p.publisher,
        _p.event_ids,
        func.jsonb_array_length(_p.changes).label("change_count"),
    )


def _ref(row: Any) -> PublicationRef:
    return PublicationRef(seq=row.seq, catalogue_version=row.cv, published_at=row.published_at)


def _publication(row: Any) -> Publication:
    return Publication(
        ref=_ref(row),
        previous_version=row.previous_version,
        source=row.source,
        publisher=row.publisher,
        event_ids=tuple(row.event_ids),
        change_count=int(row.change_count),
    )


async def count_unsent(session: AsyncSession, event_ids: Sequence[str]) -> int:
    """How many of these events the outbox relay has not handed to Kafka yet."""
    if not event_ids:
        return 0
    return int(
        await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.event_id.in_(list(event_ids)), outbox.c.sent_at.is_(None))
        )
        or 0
    )
