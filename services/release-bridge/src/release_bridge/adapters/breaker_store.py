"""Breaker state per endpoint in Postgres, updated under a row lock (BreakerStore)."""

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from release_bridge.adapters.orm import breakers
from release_bridge.domain.breaker_state import BreakerRecord


class SqlBreakerStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, endpoint: str) -> BreakerRecord:
        """Lock the endpoint's row, creating it the first time (one statement once it exists)."""
        locking = select(breakers.c.state).where(breakers.c.endpoint == endpoint).with_for_update()
        document = await self._session.scalar(locking)
        if document is None:
            fresh = BreakerRecord(endpoint)
            await self._session.execute(
                insert(breakers)
                .values(endpoint=endpoint, status=fresh.status, state=fresh.to_json())
                .on_conflict_do_nothing()
            )
            document = await self._session.scalar(locking)
        assert document is not None, "breaker row exists after the insert"
        return BreakerRecord.from_json(document)

    async def save(self, state: BreakerRecord) -> None:
        await self._session.execute(
            update(breakers)
            .where(breakers.c.endpoint == state.endpoint)
            .values(status=state.status, state=state.to_json(), updated_at=func.now())
        )

    async def all(self) -> Sequence[BreakerRecord]:
        documents = await self._session.scalars(
            select(breakers.c.state).order_by(breakers.c.endpoint)
        )
        return [BreakerRecord.from_json(document) for document in documents]
