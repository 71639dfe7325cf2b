"""Learn tracks, release policies and jurisdictions from `academy.catalogue.v1` events."""

import logging

from assessment.service.ports import AssessmentUnit
from contracts import Envelope
from contracts.catalogue import JurisdictionAdded, ReleasePolicyPublished, TrackPublished

log = logging.getLogger(__name__)


async def track_published(event: Envelope[TrackPublished], *, uow: AssessmentUnit) -> None:
    """Store the track version; a replay changes nothing."""
    data = event.data
    if await uow.tracks.save_track(data, event.id):
        log.info(
            "track version learned", extra={"track_key": data.track_key, "version": data.version}
        )


async def release_policy_published(
    event: Envelope[ReleasePolicyPublished], *, uow: AssessmentUnit
) -> None:
    await uow.tracks.save_policy(event.data)


async def jurisdiction_added(event: Envelope[JurisdictionAdded], *, uow: AssessmentUnit) -> None:
    await uow.tracks.save_jurisdiction(event.data)
