"""Resolved catalogues rebuilt from stored snapshots, kept in memory (versions never change)."""

from collections import OrderedDict

from catalogue.domain.resolved import ResolvedCatalogue
from catalogue.domain.snapshot import from_snapshot
from catalogue.service.ports import PublicationStore


class CatalogueCache:
    """A small LRU keyed by content version; a stored version is immutable, so never stale."""

    def __init__(self, size: int = 4) -> None:
        self._size = size
        self._entries: OrderedDict[str, ResolvedCatalogue] = OrderedDict()

    async def get(self, store: PublicationStore, version: str) -> ResolvedCatalogue | None:
        cached = self._entries.get(version)
        if cached is not None:
            self._entries.move_to_end(version)
            return cached
        data = await store.snapshot(version)
        if data is None:
            return None
        catalogue = from_snapshot(data)  # verifies every recorded hash
        self.put(catalogue)
        return catalogue

    def put(self, catalogue: ResolvedCatalogue) -> None:
        self._entries[catalogue.version] = catalogue
        self._entries.move_to_end(catalogue.version)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
