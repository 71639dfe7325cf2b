"""Which tracks a staff member trains for: their roles x their operator's go-live jurisdictions."""

from collections.abc import Collection, Iterable

from assessment.domain.errors import TrackNotAssigned
from contracts.catalogue import TrackPublished


def is_assigned(
    track: TrackPublished, *, roles: Collection[str], jurisdictions: Collection[str]
) -> bool:
    return track.role in roles and track.jurisdiction in jurisdictions


def assigned_tracks(
    tracks: Iterable[TrackPublished], *, roles: Collection[str], jurisdictions: Collection[str]
) -> list[TrackPublished]:
    """The tracks (current versions) a staff member sees, ordered by track key."""
    chosen = [t for t in tracks if is_assigned(t, roles=roles, jurisdictions=jurisdictions)]
    return sorted(chosen, key=lambda t: t.track_key)


def check_assigned(
    track: TrackPublished, *, roles: Collection[str], jurisdictions: Collection[str]
) -> None:
    """Raise `TrackNotAssigned` saying which condition is missing."""
    if track.jurisdiction not in jurisdictions:
        going_live = ", ".join(sorted(jurisdictions)) or "none yet"
        raise TrackNotAssigned(
            track_key=track.track_key,
            why=(
                f"your operator is not going live in {track.jurisdiction} "
                f"(its jurisdictions: {going_live}); an operator admin can add it"
            ),
        )
    if track.role not in roles:
        raise TrackNotAssigned(
            track_key=track.track_key,
            why=(
                f"it is for the role {track.role}, which your sign-in does not carry; "
                "ask your identity administrator to add the group"
            ),
        )
