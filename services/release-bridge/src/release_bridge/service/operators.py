"""Keep the bridge's own view of which jurisdictions each operator is going live in."""

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import Envelope
from contracts.assessment import OperatorJurisdictionsSet
from release_bridge.adapters.orm import operator_jurisdictions


async def on_assessment_event(envelope: Envelope[Any], session: AsyncSession) -> None:
    data = envelope.data
    if isinstance(data, OperatorJurisdictionsSet):
        await session.execute(
            insert(operator_jurisdictions)
            .values(operator_id=data.operator_id, jurisdictions=data.jurisdictions)
            .on_conflict_do_update(
                index_elements=[operator_jurisdictions.c.operator_id],
                set_={"jurisdictions": data.jurisdictions, "updated_at": data.set_at},
            )
        )
