"""The TrainingState every training, attempt and certificate event carries: the holder's records
on a track key, loaded in the event's transaction and built by `domain.training_state`.

Load after the change the event reports (same transaction), so the state includes it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from assessment.domain.certificates import Certificate
from assessment.domain.progress import TrackProgress
from assessment.domain.staff import StaffMember
from assessment.domain.training_state import ScoredAttempt, training_state
from assessment.service.ports import AssessmentUnit
from contracts.assessment import TrainingState
from contracts.catalogue import TrackPublished


@dataclass(frozen=True)
class TrackRecords:
    """One staff member's completions, attempts and certificates on one track key."""

    holder: StaffMember
    progress: TrackProgress
    attempts: Sequence[ScoredAttempt]
    certificates: Sequence[Certificate]

    def state(
        self, track: TrackPublished, *, progress: TrackProgress | None = None
    ) -> TrainingState:
        """The state on `track` (a version); `progress` replaces the loaded one mid-change."""
        return training_state(
            holder=self.holder,
            track=track,
            progress=self.progress if progress is None else progress,
            attempts=self.attempts,
            certificates=self.certificates,
        )


async def records(
    uow: AssessmentUnit,
    holder: StaffMember,
    track_key: str,
    *,
    certificates: Sequence[Certificate] | None = None,
) -> TrackRecords:
    """The records as stored; `certificates`, when the caller holds them as stored (it just
    wrote them, under the holder's lock), spares reading them again."""
    key = (holder.operator_id, holder.staff_id)
    return TrackRecords(
        holder=holder,
        progress=await uow.progress.load(*key, track_key),
        attempts=await uow.attempts.scores(*key, track_key=track_key),
        certificates=(
            await uow.certificates.of_holder(*key, track_key=track_key)
            if certificates is None
            else certificates
        ),
    )


async def state(
    uow: AssessmentUnit,
    holder: StaffMember,
    track: TrackPublished,
    *,
    certificates: Sequence[Certificate] | None = None,
) -> TrainingState:
    """The holder's state on `track` as stored in this transaction (see `records`)."""
    found = await records(uow, holder, track.track_key, certificates=certificates)
    return found.state(track)


async def state_at(
    uow: AssessmentUnit,
    holder: StaffMember,
    *,
    track_key: str,
    version: str,
    certificates: Sequence[Certificate] | None = None,
) -> TrainingState | None:
    """The state on a stored version (an attempt's, a certificate's); None if no track is known.

    Every version is kept, so the fallback to the current version only covers a database
    restored without some catalogue history.
    """
    track = await uow.tracks.version(track_key, version) or await uow.tracks.current(track_key)
    if track is None:
        return None
    return await state(uow, holder, track, certificates=certificates)
