"""Operators as assessment knows them: go-live sets (admin API) and staff who signed in."""

from datetime import datetime

from sqlalchemy import exists, select, union
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters.orm import operators, staff


class SqlOperatorStore:
    """Implements service.ports.OperatorStore over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def go_live(self, operator_id: str, *, lock: bool = False) -> list[str] | None:
        """The operator's go-live jurisdictions; None when none were ever set."""
        query = select(operators.c.jurisdictions).where(operators.c.operator_id == operator_id)
        found = await self._session.scalar(query.with_for_update() if lock else query)
        return list(found) if found is not None else None

    async def save_go_live(
        self, operator_id: str, jurisdictions: list[str], *, actor: str, now: datetime
    ) -> None:
        values = {"jurisdictions": jurisdictions, "updated_by": actor, "updated_at": now}
        await self._session.execute(
            insert(operators)
            .values(operator_id=operator_id, **values)
            .on_conflict_do_update(index_elements=[operators.c.operator_id], set_=values)
        )

    async def is_known(self, operator_id: str) -> bool:
        """Known = its go-live jurisdictions were set or one of its staff signed in."""
        query = select(
            exists().where(operators.c.operator_id == operator_id)
            | exists().where(staff.c.operator_id == operator_id)
        )
        return bool(await self._session.scalar(query))

    async def known_ids(self) -> list[str]:
        """Every known operator id (for "did you mean"), sorted."""
        rows = await self._session.scalars(
            union(select(operators.c.operator_id), select(staff.c.operator_id).distinct())
        )
        return sorted(rows)
