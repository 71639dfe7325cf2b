"""Track versions, release policies and jurisdictions as learned from `academy.catalogue.v1`.

Every version is kept (an attempt is graded against the version it started on); the current
version of a track key is the one published last. Versions are immutable, so parsed tracks are
cached in memory per (track key, version).
"""

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters.orm import jurisdictions, release_policies, tracks
from contracts.catalogue import JurisdictionAdded, ReleasePolicyPublished, TrackPublished
from contracts.common import ReleasePolicy

TrackId = tuple[str, str]


class TrackStore:
    def __init__(self, *, cache_size: int = 512) -> None:
        self._cache: dict[TrackId, TrackPublished] = {}
        self._cache_size = cache_size

    # -- writes (catalogue consumer) --------------------------------------------------------
    async def save_track(self, session: AsyncSession, track: TrackPublished, event_id: str) -> bool:
        """Store a version; a version already seen is left as it is (versions are immutable)."""
        inserted = await session.execute(
            insert(tracks)
            .values(
                track_key=track.track_key,
                version=track.version,
                jurisdiction=track.jurisdiction,
                role=track.role,
                catalogue_version=track.catalogue_version,
                published_at=track.published_at,
                body=track.model_dump(mode="json"),
                event_id=event_id,
            )
            .on_conflict_do_nothing()
            .returning(tracks.c.version)
        )
        return inserted.first() is not None

    async def save_policy(self, session: AsyncSession, event: ReleasePolicyPublished) -> bool:
        inserted = await session.execute(
            insert(release_policies)
            .values(
                jurisdiction=event.policy.jurisdiction,
                version=event.version,
                catalogue_version=event.catalogue_version,
                published_at=event.published_at,
                policy=event.policy.model_dump(mode="json"),
            )
            .on_conflict_do_nothing()
            .returning(release_policies.c.version)
        )
        return inserted.first() is not None

    async def save_jurisdiction(self, session: AsyncSession, event: JurisdictionAdded) -> None:
        values = {
            "name": event.name,
            "regulator": event.regulator,
            "roles": list(event.roles),
            "catalogue_version": event.catalogue_version,
            "added_at": event.added_at,
        }
        await session.execute(
            insert(jurisdictions)
            .values(jurisdiction=event.jurisdiction, **values)
            .on_conflict_do_update(index_elements=[jurisdictions.c.jurisdiction], set_=values)
        )

    # -- reads ------------------------------------------------------------------------------
    async def version(
        self, session: AsyncSession, track_key: str, version: str
    ) -> TrackPublished | None:
        found = await self._bodies(session, [(track_key, version)])
        return found.get((track_key, version))

    async def current(self, session: AsyncSession, track_key: str) -> TrackPublished | None:
        version = await session.scalar(
            select(tracks.c.version)
            .where(tracks.c.track_key == track_key)
            .order_by(tracks.c.published_at.desc(), tracks.c.seq.desc())
            .limit(1)
        )
        return None if version is None else await self.version(session, track_key, version)

    async def current_in(
        self, session: AsyncSession, jurisdiction_codes: Collection[str]
    ) -> list[TrackPublished]:
        """Current version of every track of the given jurisdictions, ordered by track key."""
        if not jurisdiction_codes:
            return []
        rows = await session.execute(
            select(tracks.c.track_key, tracks.c.version)
            .where(tracks.c.jurisdiction.in_(list(jurisdiction_codes)))
            .ext(distinct_on(tracks.c.track_key))
            .order_by(tracks.c.track_key, tracks.c.published_at.desc(), tracks.c.seq.desc())
        )
        ids = [(row.track_key, row.version) for row in rows]
        found = await self._bodies(session, ids)
        return [found[i] for i in ids if i in found]

    async def published_jurisdictions(self, session: AsyncSession) -> list[str]:
        """Jurisdictions with at least one published track (staff can train for them), sorted."""
        rows = await session.scalars(
            select(tracks.c.jurisdiction).distinct().order_by(tracks.c.jurisdiction)
        )
        return list(rows)

    async def policies(
        self, session: AsyncSession, jurisdiction_codes: Collection[str]
    ) -> dict[str, ReleasePolicy]:
        """The latest published release policy of each jurisdiction that has one."""
        if not jurisdiction_codes:
            return {}
        rows = await session.execute(
            select(release_policies.c.jurisdiction, release_policies.c.policy)
            .where(release_policies.c.jurisdiction.in_(list(jurisdiction_codes)))
            .ext(distinct_on(release_policies.c.jurisdiction))
            .order_by(
                release_policies.c.jurisdiction,
                release_policies.c.published_at.desc(),
                release_policies.c.seq.desc(),
            )
        )
        return {row.jurisdiction: ReleasePolicy.model_validate(row.policy) for row in rows}

    async def jurisdiction_names(
        self, session: AsyncSession, codes: Collection[str]
    ) -> dict[str, tuple[str, str]]:
        """(name, regulator) per known jurisdiction code."""
        if not codes:
            return {}
        rows = await session.execute(
            select(
                jurisdictions.c.jurisdiction, jurisdictions.c.name, jurisdictions.c.regulator
            ).where(jurisdictions.c.jurisdiction.in_(list(codes)))
        )
        return {row.jurisdiction: (row.name, row.regulator) for row in rows}

    async def _bodies(
        self, session: AsyncSession, ids: Iterable[TrackId]
    ) -> dict[TrackId, TrackPublished]:
        wanted = list(dict.fromkeys(ids))
        found = {i: self._cache[i] for i in wanted if i in self._cache}
        missing = [i for i in wanted if i not in found]
        if missing:
            rows = await session.execute(
                select(tracks.c.track_key, tracks.c.version, tracks.c.body).where(
                    tracks.c.track_key.in_({key for key, _ in missing}),
                    tracks.c.version.in_({version for _, version in missing}),
                )
            )
            for row in rows:
                track = _parse(row.body)
                found[(row.track_key, row.version)] = track
                self._remember((row.track_key, row.version), track)
        return {i: found[i] for i in wanted if i in found}

    def _remember(self, key: TrackId, track: TrackPublished) -> None:
        if len(self._cache) >= self._cache_size:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = track


class SqlTracks:
    """Implements service.ports.Tracks over one session, sharing the app's parsed-track cache."""

    def __init__(self, store: TrackStore, session: AsyncSession) -> None:
        self._store = store
        self._session = session

    async def save_track(self, track: TrackPublished, event_id: str) -> bool:
        return await self._store.save_track(self._session, track, event_id)

    async def save_policy(self, event: ReleasePolicyPublished) -> bool:
        return await self._store.save_policy(self._session, event)

    async def save_jurisdiction(self, event: JurisdictionAdded) -> None:
        await self._store.save_jurisdiction(self._session, event)

    async def version(self, track_key: str, version: str) -> TrackPublished | None:
        return await self._store.version(self._session, track_key, version)

    async def current(self, track_key: str) -> TrackPublished | None:
        return await self._store.current(self._session, track_key)

    async def current_in(self, jurisdiction_codes: Collection[str]) -> list[TrackPublished]:
        return await self._store.current_in(self._session, jurisdiction_codes)

    async def published_jurisdictions(self) -> list[str]:
        return await self._store.published_jurisdictions(self._session)

    async def policies(self, jurisdiction_codes: Collection[str]) -> dict[str, ReleasePolicy]:
        return await self._store.policies(self._session, jurisdiction_codes)

    async def jurisdiction_names(self, codes: Collection[str]) -> dict[str, tuple[str, str]]:
        return await self._store.jurisdiction_names(self._session, codes)


def _parse(body: Any) -> TrackPublished:
    return TrackPublished.model_validate(body)
