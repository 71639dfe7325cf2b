"""On-demand inspection bundles (API and `academy audit export`), recorded in the audit log.

Every bundle handed out is appended to the operator's own audit log (a
`support_action.recorded` event with actor and reason), so the next daily pack shows who
exported the operator's evidence and why. Missing daily packs of the range are built in
chain order (they are then delivered by the nightly pass as usual), under the operator's
advisory lock, so a request never races the scheduler.
"""

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from audit_export.domain.schedule import days_between, utc_day
from audit_export.service import ingest
from audit_export.service.packs import PackBuildPorts, build_through, built_pack, ensure_chain
from audit_export.service.ports import AuditUnit, Envelopes, OperatorLocks
from auditpack.inspection import BundleResult, DailyPack, InspectionScope, write_bundle
from auditpack.period import Period
from auditpack.public_keys import export_public_keys
from contracts.release import SupportActionRecorded

ACTION = "audit.inspection_bundle.exported"


class InspectionError(ValueError):
    """A request that cannot be served as asked (the message says why)."""


@dataclass(frozen=True)
class Requester:
    actor: str
    reason: str


def check_scope(scope: InspectionScope, *, now: datetime, max_days: int) -> None:
    if scope.last_day < scope.first_day:
        raise InspectionError("`to` is before `from`")
    if scope.last_day >= utc_day(now):
        raise InspectionError(
            f"`to` must be a UTC day that has ended (before {utc_day(now).isoformat()})"
        )
    if (scope.last_day - scope.first_day).days + 1 > max_days:
        raise InspectionError(f"a bundle covers at most {max_days} days")


async def record_action(
    uow: AuditUnit,
    envelopes: Envelopes,
    *,
    operator_id: str,
    action: str,
    target: str,
    requester: Requester,
    now: datetime,
    details: dict[str, str] | None = None,
) -> None:
    """Append a human's action on the operator's evidence to the operator's own audit log.

    Not published to Kafka (its contract lives on another service's topic): the log is the
    record, and the operator's next daily pack carries it.
    """
    data = SupportActionRecorded(
        action=action,
        actor=requester.actor,
        reason=requester.reason,
        operator_id=operator_id,
        target=target,
        details=details or {},
        at=now,
    )
    envelope = envelopes.envelope(data, tenant=operator_id, subject=target)
    await ingest.append(envelope, uow, clock=lambda: now)


async def record_request(
    uow: AuditUnit,
    envelopes: Envelopes,
    scope: InspectionScope,
    requester: Requester,
    *,
    now: datetime,
) -> None:
    """Record that an inspection bundle of `scope` was handed to `requester`."""
    await record_action(
        uow,
        envelopes,
        operator_id=scope.operator_id,
        action=ACTION,
        target=f"{scope.jurisdiction} {scope.first_day.isoformat()}..{scope.last_day.isoformat()}",
        requester=requester,
        now=now,
        details={"jurisdiction": scope.jurisdiction},
    )


async def export_bundle(
    workshop: PackBuildPorts,
    locks: OperatorLocks,
    scope: InspectionScope,
    out: Path,
    *,
    now: datetime,
    has_target: bool,
) -> BundleResult:
    """Write the scope's bundle to `out` (building any missing daily pack first); the packs'
    units of work come from `workshop.units`, one after the other (service/packs.py)."""
    keyring = workshop.keyring
    if keyring is None:
        raise InspectionError("no signing key is configured")
    operator_id = scope.operator_id
    async with locks.hold(operator_id, wait=True), AsyncExitStack() as stack:
        async with workshop.units() as uow:
            first = await ensure_chain(
                uow, operator_id, due=scope.last_day, has_target=has_target, now=now
            )
        if first is None or scope.first_day < first:
            starts = "has no audit log yet" if first is None else f"starts on {first.isoformat()}"
            raise InspectionError(f"the audit log of {operator_id} {starts}")
        await build_through(workshop, operator_id, scope.last_day, now=now, has_target=has_target)
        packs: list[DailyPack] = []
        for day in days_between(scope.first_day, scope.last_day):
            built = await stack.enter_async_context(
                built_pack(workshop, operator_id, day, now=now, has_target=has_target)
            )
            link = built.link
            packs.append(
                DailyPack(
                    day=day,
                    path=built.path,
                    pack_seq=link.pack_seq,
                    manifest_sha256=link.manifest_sha256,
                    zip_sha256=link.zip_sha256,
                    tree_size=link.log_after.size,
                    root=link.root_hex,
                    event_count=link.event_count,
                )
            )
        period = Period(Period.day(scope.first_day).start, Period.day(scope.last_day).end)
        public_keys = export_public_keys(keyring.public_keys_for(period))

        def write() -> BundleResult:
            with out.open("wb") as handle:
                return write_bundle(handle, scope, packs, public_keys)

        return await asyncio.to_thread(write)
