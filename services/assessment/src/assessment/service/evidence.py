"""The TrainingState every training, attempt and certificate event carries: the holder's records
on a track key, loaded in the event's transaction and built by `domain.training_state`.

Load after the change the event reports (same transaction), so the state includes it; or load
before it, under the holder's lock, and apply the change (`TrackRecords.after_close`).
"""

from assessment.domain.staff import StaffMember
from assessment.domain.training_state import TrackRecords
from assessment.service.ports import AssessmentUnit
from contracts.assessment import TrainingState
from contracts.catalogue import TrackPublished


async def records(uow: AssessmentUnit, holder: StaffMember, track_key: str) -> TrackRecords:
    """The holder's completions, attempt scores and certificates on the track key, as stored."""
    return await uow.records.load(holder, track_key)


async def state(uow: AssessmentUnit, holder: StaffMember, track: TrackPublished) -> TrainingState:
    """The holder's state on `track` as stored in this transaction (see `records`)."""
    found = await records(uow, holder, track.track_key)
    return found.state(track)


async def state_at(
    uow: AssessmentUnit,
    holder: StaffMember,
    *,
    track_key: str,
    version: str,
    known: TrackRecords | None = None,
) -> TrainingState | None:
    """The state on a stored version (an attempt's, a certificate's); None if no track is known.

    `known`: the holder's records on the track key as they now stand (the caller read them
    under the holder's lock and applied its own changes), spared reading them again.
    Every version is kept, so the fallback to the current version only covers a database
    restored without some catalogue history.
    """
    track = await uow.tracks.version(track_key, version) or await uow.tracks.current(track_key)
    if track is None:
        return None
    found = known if known is not None else await records(uow, holder, track_key)
    return found.state(track)
