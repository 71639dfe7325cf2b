"""Name a published version the way people do: latest, latest~2, #7, or a version prefix."""

import re

from catalogue.domain.history import Publication
from catalogue.domain.resolved import ResolvedCatalogue
from catalogue.service.catalogue_cache import CatalogueCache
from catalogue.service.ports import CatalogueUnit, PublicationStore
from catalogue.service.reading import NotFound, not_published

REF_HELP = (
    "a published version: 'latest', 'previous', 'latest~N' (N publications before the "
    "latest), '#N' (publication number N) or a version hash prefix of at least 6 hex digits"
)
_BACK = re.compile(r"^latest~(\d+)$")
_SEQ = re.compile(r"^#(\d+)$")
_HEX = re.compile(r"^[0-9a-f]{6,64}$")


async def find_publication(store: PublicationStore, ref: str) -> Publication:
    """The publication `ref` names; NotFound says why not and what would work."""
    text = ref.strip().lower()
    latest = await store.latest()
    if latest is None:
        raise not_published()
    if text in ("latest", "head"):
        return latest
    back = 1 if text == "previous" else None
    if back is None and (match := _BACK.match(text)):
        back = int(match.group(1))
    if back is not None:
        return await _by_seq(store, latest.seq - back, ref, latest)
    if match := _SEQ.match(text):
        return await _by_seq(store, int(match.group(1)), ref, latest)
    if _HEX.match(text):
        versions = await store.versions_starting_with(text)
        if len(versions) > 1:
            raise NotFound(
                "ambiguous_version",
                f"{ref!r} matches several versions ({', '.join(v[:12] for v in versions)}); "
                "give more digits",
            )
        if versions:
            found = await store.latest_publication_of(versions[0])
            assert found is not None
            return found
        raise NotFound("version_not_found", f"no published version starts with {ref!r}")
    raise NotFound("bad_reference", f"cannot read {ref!r} as {REF_HELP}")


async def _by_seq(store: PublicationStore, seq: int, ref: str, latest: Publication) -> Publication:
    found = await store.publication(seq) if seq >= 1 else None
    if found is None:
        raise NotFound(
            "publication_not_found",
            f"{ref!r} names publication #{seq}, but publications run from #1 to #{latest.seq}",
        )
    return found


async def load_published(
    ref: str, *, uow: CatalogueUnit, cache: CatalogueCache
) -> tuple[Publication, ResolvedCatalogue]:
    publication = await find_publication(uow.publications, ref)
    catalogue = await cache.get(uow.publications, publication.version)
    assert catalogue is not None
    return publication, catalogue


async def recent_publications(*, uow: CatalogueUnit, limit: int) -> list[Publication]:
    return await uow.publications.publications(limit=limit)
