"""Breaker state per endpoint in Postgres, updated under a row lock (BreakerStore)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, bindparam, exists, func, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from release_bridge.adapters.orm import breakers
from release_bridge.domain.breaker_state import BreakerRecord


def _lock_or_create() -> Any:
    """Lock the endpoint's row, or insert a fresh one when the locking read found nothing."""
    found = (
        select(breakers.c.state)
        .where(breakers.c.endpoint == bindparam("b_endpoint"))
        .with_for_update()
        .cte("found")
    )
    created = (
        insert(breakers)
        .from_select(
            ["endpoint", "status", "state"],
            select(
                bindparam("b_new_endpoint", type_=String()),
                bindparam("b_new_status", type_=String()),
                bindparam("b_new_state", type_=JSONB),
            ).where(~exists(select(found.c.state))),
        )
        .on_conflict_do_nothing()
        .returning(breakers.c.state)
        .cte("created")
    )
    return select(found.c.state).union_all(select(created.c.state))


# Built once: a statement object keeps its cache key, so a call only binds its parameters.
_LOCK_OR_CREATE = _lock_or_create()
_LOCK = (
    select(breakers.c.state).where(breakers.c.endpoint == bindparam("b_endpoint")).with_for_update()
)
_SAVE = (
    update(breakers)
    .where(breakers.c.endpoint == bindparam("b_endpoint"))
    .values(status=bindparam("b_status"), state=bindparam("b_state"), updated_at=func.now())
)
_ALL = select(breakers.c.state).order_by(breakers.c.endpoint)


class SqlBreakerStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, endpoint: str) -> BreakerRecord:
        """Lock the endpoint's row, creating it the first time, in one statement.

        The insert runs only when the locking read found nothing; two first callers racing
        leave the loser with no row returned, and it reads again, now locking the winner's row.
        """
        fresh = BreakerRecord(endpoint)
        document = await self._session.scalar(
            _LOCK_OR_CREATE,
            {
                "b_endpoint": endpoint,
                "b_new_endpoint": endpoint,
                "b_new_status": fresh.status,
                "b_new_state": fresh.to_json(),
            },
        )
        if document is None:
            document = await self._session.scalar(_LOCK, {"b_endpoint": endpoint})
        assert document is not None, "breaker row exists after the insert"
        return BreakerRecord.from_json(document)

    async def save(self, state: BreakerRecord) -> None:
        await self._session.execute(
            _SAVE,
            {"b_endpoint": state.endpoint, "b_status": state.status, "b_state": state.to_json()},
        )

    async def all(self) -> Sequence[BreakerRecord]:
        documents = await self._session.scalars(_ALL)
        return [BreakerRecord.from_json(document) for document in documents]
