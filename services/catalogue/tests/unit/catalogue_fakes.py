"""In-memory implementations of the catalogue's ports, for unit tests of the real handlers."""

from dataclasses import dataclass, field
from typing import Any

from academy_testkit.events import RecordingEvents
from catalogue.domain.history import Publication, PublicationRef, Sighting
from catalogue.domain.resolved import ResolvedCatalogue
from catalogue.domain.snapshot import snapshot
from catalogue.service.ports import NewPublication


@dataclass(frozen=True)
class ModuleRow:
    """One row of the module index: the module version a jurisdiction teaches in a version."""

    module_id: str
    jurisdiction: str
    version: str
    declared_version: str
    title: str
    origin: str


@dataclass
class FakePublicationStore:
    """Stores snapshots and publications like the SQL store; `calls` names what was asked."""

    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    tracks: dict[str, dict[str, str]] = field(default_factory=dict)  # version: key -> version
    modules: dict[str, list[ModuleRow]] = field(default_factory=dict)
    log: list[Publication] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    async def lock_publishing(self) -> None:
        self.calls.append("lock_publishing")

    async def save_version(self, catalogue: ResolvedCatalogue) -> None:
        self.calls.append("save_version")
        if catalogue.version in self.snapshots:
            return
        self.snapshots[catalogue.version] = snapshot(catalogue)
        self.tracks[catalogue.version] = {t.key: t.version for t in catalogue.tracks}
        rows = {
            (t.jurisdiction, m.id): ModuleRow(
                m.id, t.jurisdiction, m.version, m.declared_version, m.title, m.origin
            )
            for t in catalogue.tracks
            for m in t.modules
        }
        self.modules[catalogue.version] = list(rows.values())

    async def add_publication(self, new: NewPublication) -> None:
        self.calls.append("add_publication")
        assert all(p.seq != new.seq for p in self.log), f"publication #{new.seq} exists"
        assert new.version in self.snapshots, "publications reference stored versions"
        self.log.append(
            Publication(
                ref=PublicationRef(new.seq, new.version, new.published_at),
                previous_version=new.previous_version,
                source=new.source,
                publisher=new.publisher,
                event_ids=tuple(new.event_ids),
                change_count=len(new.changes),
            )
        )

    async def latest(self) -> Publication | None:
        self.calls.append("latest")
        return max(self.log, key=lambda p: p.seq, default=None)

    async def publication(self, seq: int) -> Publication | None:
        return next((p for p in self.log if p.seq == seq), None)

    async def publications(self, *, limit: int, before: int | None = None) -> list[Publication]:
        newest = sorted(self.log, key=lambda p: p.seq, reverse=True)
        return [p for p in newest if before is None or p.seq < before][:limit]

    async def versions_starting_with(self, prefix: str, *, limit: int = 10) -> list[str]:
        last_seq: dict[str, int] = {}
        for p in self.log:
            if p.version.startswith(prefix):
                last_seq[p.version] = max(last_seq.get(p.version, 0), p.seq)
        return sorted(last_seq, key=lambda v: last_seq[v], reverse=True)[:limit]

    async def latest_publication_of(self, version: str) -> Publication | None:
        return max((p for p in self.log if p.version == version), key=lambda p: p.seq, default=None)

    async def snapshot(self, version: str) -> dict[str, Any] | None:
        self.calls.append("snapshot")
        return self.snapshots.get(version)

    async def catalogue_with_track(self, track_key: str, version: str) -> str | None:
        return next((cv for cv, t in self.tracks.items() if t.get(track_key) == version), None)

    async def track_sightings(self, track_key: str) -> list[Sighting]:
        return [
            Sighting(p.ref, self.tracks[p.version][track_key], track_key.partition(".")[0])
            for p in sorted(self.log, key=lambda p: p.seq)
            if track_key in self.tracks.get(p.version, {})
        ]

    async def module_sightings(self, module_id: str, jurisdiction: str | None) -> list[Sighting]:
        return [
            Sighting(
                p.ref,
                row.version,
                row.jurisdiction,
                declared_version=row.declared_version,
                title=row.title,
                origin=row.origin,
            )
            for p in sorted(self.log, key=lambda p: p.seq)
            for row in sorted(self.modules.get(p.version, []), key=lambda r: r.jurisdiction)
            if row.module_id == module_id and jurisdiction in (None, row.jurisdiction)
        ]


@dataclass
class FakeUnit:
    """Implements service.ports.CatalogueUnit in memory."""

    publications: FakePublicationStore = field(default_factory=FakePublicationStore)
    events: RecordingEvents = field(default_factory=RecordingEvents)
