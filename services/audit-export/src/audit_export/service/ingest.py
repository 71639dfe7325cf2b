"""Append every event to its tenant's audit log, once (idempotent on the event id).

Under the operator's head row lock: the record gets the next index and a `recorded_at` that
never goes backwards (max of now, the previous record's time and the sealed-until time), its
canonical line and leaf hash come from the domain (`AuditRecord`, RFC 6962 `leaf_hash`), and
the head's compact range is advanced with `MerkleAccumulator`.

Tenants: any syntactically valid operator id gets its own log (this service has no operator
registry to check against, and dropping an event would lose evidence); operators without an
SFTP target show up in the `audit_export_operators_without_target` metric. The platform
tenant (`_platform`, catalogue content) is logged too but gets no daily packs. An event whose
tenant id is not a usable operator id, or that a pack could not carry, is dead-lettered.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from academy_runtime.consumer import PoisonMessage
from audit_export.domain.targets import OPERATOR_ID
from audit_export.service.ports import AuditUnit, IngestObserver
from auditpack.derive import DerivationError, csv_row_for
from auditpack.manifest import REVISION
from auditpack.merkle import MerkleAccumulator, leaf_hash
from auditpack.records import AuditRecord, RecordError, event_problems
from auditpack.register import register_entry
from contracts import Envelope, topics
from contracts.clock import Clock


class _Silent:
    def appended(self, *, delay_s: float) -> None:
        return None

    def rejected(self, reason: str) -> None:
        return None


def valid_tenant(tenant: str) -> bool:
    return tenant == topics.PLATFORM_TENANT or bool(OPERATOR_ID.match(tenant))


def _record(index: int, recorded_at: datetime, envelope: Envelope[Any]) -> AuditRecord:
    """The canonical record, or PoisonMessage when no pack could ever carry it (including a
    CSV row or training state that cannot be derived from it)."""
    try:
        record = AuditRecord.from_envelope(index, recorded_at, envelope)
    except RecordError as exc:
        raise PoisonMessage(f"event {envelope.id} cannot be canonicalised: {exc}") from exc
    problems = event_problems(record.event, envelope.tenantid)
    if problems:
        raise PoisonMessage(f"event {envelope.id} unfit for an audit pack: {'; '.join(problems)}")
    try:
        csv_row_for(record.event, revision=REVISION)
        register_entry(record.event)
    except DerivationError as exc:
        raise PoisonMessage(f"event {envelope.id}: {exc}") from exc
    return record


async def append(
    envelope: Envelope[Any],
    uow: AuditUnit,
    *,
    clock: Clock,
    observer: IngestObserver | None = None,
) -> int | None:
    """Append the event to its tenant's log; returns its index, or None if already logged."""
    watcher = observer or _Silent()
    operator = envelope.tenantid
    if not valid_tenant(operator):
        watcher.rejected("tenant")
        raise PoisonMessage(f"event {envelope.id}: tenant id {operator!r} is not an operator id")
    head = await uow.log.lock_head(operator)
    floors = [t for t in (head.last_recorded_at, head.sealed_until) if t is not None]
    recorded_at = max([clock(), *floors])
    try:
        record = _record(head.state.size, recorded_at, envelope)
    except PoisonMessage:
        watcher.rejected("event")
        raise
    leaf = leaf_hash(record.line)
    accumulator = MerkleAccumulator(head.state)
    accumulator.add(leaf)
    appended = await uow.log.append_record(
        operator_id=operator,
        index=record.index,
        event_id=envelope.id,
        ce_type=envelope.type,
        recorded_at=recorded_at,
        line=record.line,
        leaf=leaf,
        head_after=accumulator.state(),
    )
    if not appended:
        return None
    watcher.appended(delay_s=max(0.0, (recorded_at - envelope.time).total_seconds()))
    return record.index


def handler(
    *, clock: Clock, observer: IngestObserver | None = None
) -> Callable[[Envelope[Any], AuditUnit], Awaitable[None]]:
    """The consumer handler: one append per event, in the unit the consumer entrypoint opens
    (`audit_units(runtime).consumer`, inside the inbox's transaction)."""

    async def on_event(envelope: Envelope[Any], uow: AuditUnit) -> None:
        await append(envelope, uow, clock=clock, observer=observer)

    return on_event
