"""Pure catalogue domain: content loading, validation, resolution, versions, snapshots, diffs."""

from catalogue.domain.content import inspect, load_content, resolve, validate
from catalogue.domain.diff import Change, IdChanges, diff, render_diff
from catalogue.domain.errors import ContentError, ContentErrors, ContentInvalid
from catalogue.domain.publishing import (
    jurisdiction_added,
    publication_events,
    release_policy_published,
    track_published,
)
from catalogue.domain.resolved import ResolvedCatalogue, ResolvedTrack
from catalogue.domain.snapshot import SnapshotError, from_snapshot, snapshot

__all__ = [
    "Change",
    "ContentError",
    "ContentErrors",
    "ContentInvalid",
    "IdChanges",
    "ResolvedCatalogue",
    "ResolvedTrack",
    "SnapshotError",
    "diff",
    "from_snapshot",
    "inspect",
    "jurisdiction_added",
    "load_content",
    "publication_events",
    "release_policy_published",
    "render_diff",
    "resolve",
    "snapshot",
    "track_published",
    "validate",
]
