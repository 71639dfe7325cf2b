"""Training waivers granted by support, per staff member and track version."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters.orm import training_waivers as tw
from assessment.domain.staff import StaffMember


class SqlWaiverStore:
    """Implements service.ports.WaiverStore over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        holder: StaffMember,
        *,
        track_key: str,
        track_version: str,
        modules_waived: Sequence[str],
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        await self._session.execute(
            tw.insert().values(
                operator_id=holder.operator_id,
                staff_id=holder.staff_id,
                track_key=track_key,
                track_version=track_version,
                modules_waived=list(modules_waived),
                actor=actor,
                reason=reason,
                waived_at=at,
            )
        )

    async def waived(
        self, operator_id: str, staff_id: str, track_key: str, track_version: str
    ) -> bool:
        """Support waived the training rule for this staff member on this track version."""
        query = select(
            exists().where(
                tw.c.operator_id == operator_id,
                tw.c.staff_id == staff_id,
                tw.c.track_key == track_key,
                tw.c.track_version == track_version,
            )
        )
        return bool(await self._session.scalar(query))
