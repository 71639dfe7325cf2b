"""Append every event to its tenant's audit log, once (idempotent on the event id).

A batch at a time: under each operator's head row lock (taken in operator order, so replicas
never deadlock), each new record gets the next index and a `recorded_at` that never goes
backwards (max of now, the previous record's time and the sealed-until time); its canonical
line and leaf hash come from the domain (`AuditRecord`, RFC 6962 `leaf_hash`), the operator's
compact range takes the batch's leaves in one `MerkleAccumulator.add_leaf_block`, and all rows
are written with one insert (array parameters, prepared once). The log is byte for byte what
one event at a time gives.

Tenants: any syntactically valid operator id gets its own log (this service has no operator
registry to check against, and dropping an event would lose evidence); operators without an
SFTP target show up in the `audit_export_operators_without_target` metric. The platform
tenant (`_platform`, catalogue content) is logged too but gets no daily packs. An event whose
tenant id is not a usable operator id, or that a pack could not carry, is dead-lettered
(`PoisonMessage` names it; the rest of the batch is appended).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from academy_runtime.routes import BatchHandler, PoisonMessage
from audit_export.domain.targets import OPERATOR_ID
from audit_export.service.ports import AuditUnit, Head, HeadAfter, IngestObserver, NewRecord
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
    """Append one event to its tenant's log; returns its index, or None if already logged."""
    [index] = await append_batch([envelope], uow, clock=clock, observer=observer)
    return index


async def append_batch(
    events: Sequence[Envelope[Any]],
    uow: AuditUnit,
    *,
    clock: Clock,
    observer: IngestObserver | None = None,
) -> list[int | None]:
    """Append the events, in order, to their tenants' logs; returns each one's index, or None
    for an event already logged (earlier, or earlier in this batch)."""
    watcher = observer or _Silent()
    for envelope in events:
        if not valid_tenant(envelope.tenantid):
            watcher.rejected("tenant")
            raise PoisonMessage(
                f"event {envelope.id}: tenant id {envelope.tenantid!r} is not an operator id",
                event_id=envelope.id,
            )
    heads = await uow.log.lock_heads(sorted({e.tenantid for e in events}))
    seen = await uow.log.logged([e.id for e in events])
    sizes = {op: head.state.size for op, head in heads.items()}
    floors = {op: _floor(head) for op, head in heads.items()}
    leaves: dict[str, list[bytes]] = {op: [] for op in heads}
    records: list[NewRecord] = []
    indexes: list[int | None] = []
    delays: list[float] = []
    for envelope in events:
        if envelope.id in seen:
            indexes.append(None)
            continue
        seen.add(envelope.id)
        operator = envelope.tenantid
        floor = floors[operator]
        now = clock()
        recorded_at = now if floor is None else max(now, floor)
        try:
            record = _record(sizes[operator], recorded_at, envelope)
        except PoisonMessage as exc:
            watcher.rejected("event")
            exc.event_id = envelope.id
            raise
        leaf = leaf_hash(record.line)
        records.append(
            NewRecord(
                operator_id=operator,
                index=record.index,
                event_id=envelope.id,
                ce_type=envelope.type,
                recorded_at=recorded_at,
                line=record.line,
                leaf=leaf,
            )
        )
        leaves[operator].append(leaf)
        sizes[operator] += 1
        floors[operator] = recorded_at
        indexes.append(record.index)
        delays.append((recorded_at - envelope.time).total_seconds())
    if not records:
        return indexes
    after: dict[str, HeadAfter] = {}
    for operator, added in leaves.items():
        last = floors[operator]
        if added and last is not None:
            accumulator = MerkleAccumulator(heads[operator].state)
            accumulator.add_leaf_block(b"".join(added))
            after[operator] = HeadAfter(state=accumulator.state(), last_recorded_at=last)
    await uow.log.append_records(records, after)
    for delay in delays:
        watcher.appended(delay_s=max(0.0, delay))
    return indexes


def _floor(head: Head) -> datetime | None:
    """The earliest time the operator's next record may carry."""
    floors = [t for t in (head.last_recorded_at, head.sealed_until) if t is not None]
    return max(floors) if floors else None


def handler(*, clock: Clock, observer: IngestObserver | None = None) -> BatchHandler[AuditUnit]:
    """The consumer's batch handler (`on_batch` over every event type): appends each run of
    events in the unit the consumer binds to its inbox transaction."""

    async def on_events(events: Sequence[Envelope[Any]], *, uow: AuditUnit) -> None:
        await append_batch(events, uow, clock=clock, observer=observer)

    return on_events
