"""Just-in-time staff provisioning from the caller's token claims."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters import staff_repo
from assessment.domain.staff import StaffMember
from assessment.service.ports import EventSink, stage
from contracts.assessment import StaffProvisioned


async def provision(
    session: AsyncSession,
    *,
    identity: StaffMember,
    events: EventSink,
    now: datetime,
    lock: bool = False,
) -> StaffMember:
    """The stored staff member for `identity`, created on first sight (emits StaffProvisioned).

    Name, email and roles follow the latest token. With `lock`, the row is locked for the rest
    of the transaction: every change to one member's progress, attempts or certificates takes
    this lock first, so concurrent requests of the same person are serialised.
    """
    stored = await staff_repo.get(session, identity.operator_id, identity.staff_id, lock=lock)
    if stored is None:
        if await staff_repo.insert_if_absent(session, identity, now=now):
            data = StaffProvisioned(
                staff_id=identity.staff_id,
                email=identity.email,
                name=identity.name,
                roles=sorted(identity.roles),
                provisioned_at=now,
            )
            await stage(
                session, events, data, tenant=identity.operator_id, subject=identity.staff_id
            )
        if lock:
            await staff_repo.get(session, identity.operator_id, identity.staff_id, lock=True)
        return identity
    if (stored.name, stored.email, stored.roles) != (identity.name, identity.email, identity.roles):
        await staff_repo.update_identity(session, identity, now=now)
    return identity
