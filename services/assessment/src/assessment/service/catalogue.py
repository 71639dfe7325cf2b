"""Learn tracks, release policies and jurisdictions from `academy.catalogue.v1` events."""

import logging
from typing import Any

from assessment.service.ports import AssessmentUnit
from contracts import Envelope
from contracts.catalogue import JurisdictionAdded, ReleasePolicyPublished, TrackPublished

log = logging.getLogger(__name__)


async def apply_catalogue_event(envelope: Envelope[Any], uow: AssessmentUnit) -> None:
    """Store what the event publishes; replays and other event types change nothing."""
    data = envelope.data
    if isinstance(data, TrackPublished):
        if await uow.tracks.save_track(data, envelope.id):
            log.info(
                "track version learned",
                extra={"track_key": data.track_key, "version": data.version},
            )
    elif isinstance(data, ReleasePolicyPublished):
        await uow.tracks.save_policy(data)
    elif isinstance(data, JurisdictionAdded):
        await uow.tracks.save_jurisdiction(data)
