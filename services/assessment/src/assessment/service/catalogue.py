"""Learn tracks, release policies and jurisdictions from `academy.catalogue.v1` events."""

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters.track_store import TrackStore
from contracts import Envelope
from contracts.catalogue import JurisdictionAdded, ReleasePolicyPublished, TrackPublished

log = logging.getLogger(__name__)


async def apply_catalogue_event(
    envelope: Envelope[Any], session: AsyncSession, *, tracks: TrackStore
) -> None:
    """Store what the event publishes; replays and other event types change nothing."""
    data = envelope.data
    if isinstance(data, TrackPublished):
        if await tracks.save_track(session, data, envelope.id):
            log.info(
                "track version learned",
                extra={"track_key": data.track_key, "version": data.version},
            )
    elif isinstance(data, ReleasePolicyPublished):
        await tracks.save_policy(session, data)
    elif isinstance(data, JurisdictionAdded):
        await tracks.save_jurisdiction(session, data)
