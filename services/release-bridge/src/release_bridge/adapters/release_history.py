"""An operator's release ledger and decision deliveries in Postgres (ReleaseHistory)."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from release_bridge.adapters.orm import breakers, deliveries, release_ledger
from release_bridge.service.release_status import DECISION_TYPES, DecisionDelivery, LedgerRow


class SqlReleaseHistory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ledgers(self, operator_id: str) -> Sequence[LedgerRow]:
        r = release_ledger
        rows = await self._session.execute(
            select(r.c.jurisdiction, r.c.released, r.c.policy_met, r.c.release_id).where(
                r.c.operator_id == operator_id
            )
        )
        return [
            LedgerRow(row.jurisdiction, row.released, row.policy_met, row.release_id)
            for row in rows
        ]

    async def decisions(self, operator_id: str, *, endpoint: str) -> Sequence[DecisionDelivery]:
        d = deliveries
        rows = await self._session.execute(
            select(
                d.c.webhook_id,
                d.c.webhook_type,
                d.c.jurisdiction,
                d.c.status,
                d.c.attempts,
                d.c.decided_at,
                d.c.next_attempt_at,
                d.c.acknowledged_at,
                d.c.body,
            )
            .where(
                d.c.operator_id == operator_id,
                d.c.endpoint == endpoint,
                d.c.webhook_type.in_(DECISION_TYPES),
            )
            .order_by(d.c.seq)
        )
        return [
            DecisionDelivery(
                webhook_id=row.webhook_id,
                webhook_type=row.webhook_type,
                jurisdiction=row.jurisdiction,
                status=row.status,
                attempts=row.attempts,
                decided_at=row.decided_at,
                next_attempt_at=row.next_attempt_at,
                acknowledged_at=row.acknowledged_at,
                body=bytes(row.body),
            )
            for row in rows
        ]

    async def breaker_open(self, endpoint: str) -> bool:
        status = await self._session.scalar(
            select(breakers.c.status).where(breakers.c.endpoint == endpoint)
        )
        return status == "open"
