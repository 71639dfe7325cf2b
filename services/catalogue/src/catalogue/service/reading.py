"""The read side: the current catalogue, tracks at a version, and version history."""

from dataclasses import dataclass

from catalogue.domain.history import Publication, VersionSpan, version_spans
from catalogue.domain.resolved import ResolvedCatalogue, ResolvedJurisdiction, ResolvedTrack
from catalogue.service.catalogue_cache import CatalogueCache
from catalogue.service.ports import CatalogueUnit


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


async def current(*, uow: CatalogueUnit, cache: CatalogueCache) -> Current:
    store = uow.publications
    latest = await store.latest()
    if latest is None:
        raise not_published()
    catalogue = await cache.get(store, latest.version)
    assert catalogue is not None, "publications reference stored versions (foreign key)"
    return Current(latest, catalogue)


async def jurisdiction(
    code: str, *, uow: CatalogueUnit, cache: CatalogueCache
) -> tuple[Current, ResolvedJurisdiction]:
    found = await current(uow=uow, cache=cache)
    try:
        return found, found.catalogue.jurisdiction(code)
    except KeyError:
        raise _unknown_jurisdiction(found.catalogue, code) from None


async def track(
    code: str, role: str, *, uow: CatalogueUnit, cache: CatalogueCache
) -> ResolvedTrack:
    found, where = await jurisdiction(code, uow=uow, cache=cache)
    try:
        return found.catalogue.track(code, role)
    except KeyError:
        raise NotFound(
            "track_not_found",
            f"jurisdiction {code} has no track for role {role!r}; its roles are "
            f"{', '.join(where.roles)}",
        ) from None


async def track_at(
    track_key: str, version: str, *, uow: CatalogueUnit, cache: CatalogueCache
) -> ResolvedTrack:
    store = uow.publications
    catalogue_version = await store.catalogue_with_track(track_key, version)
    if catalogue_version is None:
        raise NotFound(
            "track_version_not_found",
            f"track {track_key} was never published at version {version}; "
            f"GET /v1/tracks/{track_key}/versions lists its versions",
        )
    catalogue = await cache.get(store, catalogue_version)
    assert catalogue is not None
    code, _, role = track_key.partition(".")
    return catalogue.track(code, role)


async def track_history(track_key: str, *, uow: CatalogueUnit) -> History:
    latest = await uow.publications.latest()
    sightings = await uow.publications.track_sightings(track_key)
    if latest is None:
        raise not_published()
    if not sightings:
        raise NotFound(
            "track_not_found",
            f"track {track_key} has never been published; GET /v1/jurisdictions lists "
            "the current tracks",
        )
    return History(latest, version_spans(sightings, latest_seq=latest.seq))


async def module_history(
    module_id: str, jurisdiction: str | None, *, uow: CatalogueUnit
) -> History:
    store = uow.publications
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
        raise NotFound("module_not_found", f"module {module_id!r} was never published{where}{hint}")
    return History(latest, version_spans(sightings, latest_seq=latest.seq))


async def publications(
    *, uow: CatalogueUnit, limit: int, before: int | None
) -> tuple[Publication, list[Publication]]:
    latest = await uow.publications.latest()
    page = await uow.publications.publications(limit=limit, before=before)
    if latest is None:
        raise not_published()
    return latest, page


def _unknown_jurisdiction(catalogue: ResolvedCatalogue, code: str) -> NotFound:
    known = ", ".join(j.code for j in catalogue.jurisdictions)
    return NotFound(
        "jurisdiction_not_found",
        f"jurisdiction {code!r} is not in the current catalogue; known: {known}",
    )
