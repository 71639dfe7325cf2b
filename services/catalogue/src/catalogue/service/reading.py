"""The read side: the current catalogue, tracks at a version, and version history."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catalogue.adapters.catalogue_cache import CatalogueCache
from catalogue.adapters.store import PublicationStore
from catalogue.domain.history import Publication, VersionSpan, version_spans
from catalogue.domain.resolved import ResolvedCatalogue, ResolvedJurisdiction, ResolvedTrack


class NotFound(LookupError):
    """Nothing to show; `code` is stable, `detail` tells the caller what does exist."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Current:
    publication: Publication
    catalogue: ResolvedCatalogue


@dataclass(frozen=True)
class History:
    latest: Publication
    spans: list[VersionSpan]


def not_published() -> NotFound:
    return NotFound(
        "catalogue_not_published",
        "no catalogue version has been published yet; run `academy catalogue publish`",
    )


class CatalogueReader:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], cache: CatalogueCache) -> None:
        self._sessions = sessions
        self._cache = cache

    async def current(self) -> Current:
        async with self._sessions() as session:
            store = PublicationStore(session)
            latest = await store.latest()
            if latest is None:
                raise not_published()
            catalogue = await self._cache.get(store, latest.version)
        assert catalogue is not None, "publications reference stored versions (foreign key)"
        return Current(latest, catalogue)

    async def jurisdiction(self, code: str) -> tuple[Current, ResolvedJurisdiction]:
        current = await self.current()
        try:
            return current, current.catalogue.jurisdiction(code)
        except KeyError:
            raise _unknown_jurisdiction(current.catalogue, code) from None

    async def track(self, code: str, role: str) -> ResolvedTrack:
        current, jurisdiction = await self.jurisdiction(code)
        try:
            return current.catalogue.track(code, role)
        except KeyError:
            raise NotFound(
                "track_not_found",
                f"jurisdiction {code} has no track for role {role!r}; its roles are "
                f"{', '.join(jurisdiction.roles)}",
            ) from None

    async def track_at(self, track_key: str, version: str) -> ResolvedTrack:
        async with self._sessions() as session:
            store = PublicationStore(session)
            catalogue_version = await store.catalogue_with_track(track_key, version)
            if catalogue_version is None:
                raise NotFound(
                    "track_version_not_found",
                    f"track {track_key} was never published at version {version}; "
                    f"GET /v1/tracks/{track_key}/versions lists its versions",
                )
            catalogue = await self._cache.get(store, catalogue_version)
        assert catalogue is not None
        jurisdiction, _, role = track_key.partition(".")
        return catalogue.track(jurisdiction, role)

    async def track_history(self, track_key: str) -> History:
        async with self._sessions() as session:
            store = PublicationStore(session)
            latest = await store.latest()
            sightings = await store.track_sightings(track_key)
        if latest is None:
            raise not_published()
        if not sightings:
            raise NotFound(
                "track_not_found",
                f"track {track_key} has never been published; GET /v1/jurisdictions lists "
                "the current tracks",
            )
        return History(latest, version_spans(sightings, latest_seq=latest.seq))

    async def module_history(self, module_id: str, jurisdiction: str | None) -> History:
        async with self._sessions() as session:
            store = PublicationStore(session)
            latest = await store.latest()
            sightings = await store.module_sightings(module_id, jurisdiction)
            anywhere = bool(sightings) or (
                jurisdiction is not None and bool(await store.module_sightings(module_id, None))
            )
        if latest is None:
            raise not_published()
        if not sightings:
            where = "" if jurisdiction is None else f" in jurisdiction {jurisdiction}"
            hint = (
                "; drop the jurisdiction filter to see where it is taught"
                if anywhere
                else "; module ids are listed in each track (GET /v1/jurisdictions/{code}/"
                "tracks/{role})"
            )
            raise NotFound(
                "module_not_found", f"module {module_id!r} was never published{where}{hint}"
            )
        return History(latest, version_spans(sightings, latest_seq=latest.seq))

    async def publications(
        self, *, limit: int, before: int | None
    ) -> tuple[Publication, list[Publication]]:
        async with self._sessions() as session:
            store = PublicationStore(session)
            latest = await store.latest()
            page = await store.publications(limit=limit, before=before)
        if latest is None:
            raise not_published()
        return latest, page


def _unknown_jurisdiction(catalogue: ResolvedCatalogue, code: str) -> NotFound:
    known = ", ".join(j.code for j in catalogue.jurisdictions)
    return NotFound(
        "jurisdiction_not_found",
        f"jurisdiction {code!r} is not in the current catalogue; known: {known}",
    )
