"""Breaker state per endpoint in Postgres, updated under a row lock (BreakerStore)."""

from collections.abc import Sequence

from sqlalchemy import exists, func, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from release_bridge.adapters.orm import breakers
from release_bridge.domain.breaker_state import BreakerRecord


class SqlBreakerStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, endpoint: str) -> BreakerRecord:
        """Lock the endpoint's row, creating it the first time, in one statement.

        The insert runs only when the locking read found nothing; two first callers racing
        leave the loser with no row returned, and it reads again, now locking the winner's row.
        """
        fresh = BreakerRecord(endpoint)
        found = (
            select(breakers.c.state)
            .where(breakers.c.endpoint == endpoint)
            .with_for_update()
            .cte("found")
        )
        created = (
            insert(breakers)
            .from_select(
                ["endpoint", "status", "state"],
                select(
                    literal(endpoint),
                    literal(fresh.status),
                    literal(fresh.to_json(), JSONB),
                ).where(~exists(select(found.c.state))),
            )
            .on_conflict_do_nothing()
            .returning(breakers.c.state)
            .cte("created")
        )
        locking = select(found.c.state).union_all(select(created.c.state))
        document = await self._session.scalar(locking)
        if document is None:
            document = await self._session.scalar(
                select(breakers.c.state).where(breakers.c.endpoint == endpoint).with_for_update()
            )
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
