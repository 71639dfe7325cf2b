"""Just-in-time staff provisioning from the caller's token claims."""

from datetime import datetime

from assessment.domain.staff import StaffMember
from assessment.service.ports import AssessmentUnit, stage
from contracts.assessment import StaffProvisioned


async def provision(
    *,
    uow: AssessmentUnit,
    identity: StaffMember,
    now: datetime,
    lock: bool = False,
) -> StaffMember:
    """The stored staff member for `identity`, created on first sight (emits StaffProvisioned).

    Name, email and roles follow the latest token. With `lock`, the row is locked for the rest
    of the transaction: every change to one member's progress, attempts or certificates takes
    this lock first, so concurrent requests of the same person are serialised.
    """
    stored = await uow.staff.get(identity.operator_id, identity.staff_id, lock=lock)
    if stored is None:
        if await uow.staff.insert_if_absent(identity, now=now):
            data = StaffProvisioned(
                staff_id=identity.staff_id,
                email=identity.email,
                name=identity.name,
                roles=sorted(identity.roles),
                provisioned_at=now,
            )
            await stage(uow.events, data, tenant=identity.operator_id, subject=identity.staff_id)
        if lock:
            await uow.staff.get(identity.operator_id, identity.staff_id, lock=True)
        return identity
    return await follow_token(uow=uow, stored=stored, identity=identity, now=now)


async def follow_token(
    *, uow: AssessmentUnit, stored: StaffMember, identity: StaffMember, now: datetime
) -> StaffMember:
    """`identity`, after storing its name, email and roles where they differ from `stored`."""
    if (stored.name, stored.email, stored.roles) != (identity.name, identity.email, identity.roles):
        await uow.staff.update_identity(identity, now=now)
    return identity
