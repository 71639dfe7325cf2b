"""Staff rows: provisioned just in time from token claims; the row doubles as a per-staff lock."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters.orm import staff
from assessment.domain.staff import StaffMember

_member_query = select(staff).where(
    staff.c.operator_id == bindparam("operator_id"), staff.c.staff_id == bindparam("staff_id")
)
#: Built once (cache key memoised): by `lock`, the member's row as is or locked FOR UPDATE.
_MEMBER = {False: _member_query, True: _member_query.with_for_update()}


def staff_member(row: Any) -> StaffMember:
    """A staff member from a row with the staff columns (by name)."""
    return StaffMember(
        operator_id=row.operator_id,
        staff_id=row.staff_id,
        name=row.name,
        email=row.email,
        roles=frozenset(row.roles),
    )


class SqlStaffStore:
    """Implements service.ports.StaffStore over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(
        self, operator_id: str, staff_id: str, *, lock: bool = False
    ) -> StaffMember | None:
        """Load a staff member; `lock` serialises every change to that member's records."""
        found = await self._session.execute(
            _MEMBER[lock], {"operator_id": operator_id, "staff_id": staff_id}
        )
        row = found.first()
        return None if row is None else staff_member(row)

    async def insert_if_absent(self, member: StaffMember, *, now: datetime) -> bool:
        inserted = await self._session.execute(
            insert(staff)
            .values(
                operator_id=member.operator_id,
                staff_id=member.staff_id,
                email=member.email,
                name=member.name,
                roles=sorted(member.roles),
                provisioned_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
            .returning(staff.c.staff_id)
        )
        return inserted.first() is not None

    async def update_identity(self, member: StaffMember, *, now: datetime) -> None:
        await self._session.execute(
            update(staff)
            .where(staff.c.operator_id == member.operator_id, staff.c.staff_id == member.staff_id)
            .values(
                email=member.email, name=member.name, roles=sorted(member.roles), updated_at=now
            )
        )

    async def of_operator(self, operator_id: str) -> Sequence[StaffMember]:
        rows = await self._session.execute(
            select(staff).where(staff.c.operator_id == operator_id).order_by(staff.c.name)
        )
        return [staff_member(row) for row in rows]
