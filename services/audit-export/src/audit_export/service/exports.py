"""The nightly export pass: every due operator-day pack built in chain order and delivered.

What is due is computed from the clock and stored state (`due_through`, the chain, the open
runs), never from "when did we last run", so a pass after downtime catches up every missed
day. Each operator is handled under its advisory lock, so with several replicas each pack is
built and delivered by one of them; a run's status is re-read under the lock, so a delivered
day is never delivered again. Deliveries of an operator go in day order and stop at the first
failure (retried with backoff on a later pass); other operators carry on.

A pass first reads every operator's `ExportState` in one statement and takes the lock and
the units of `export_operator` only for those `has_work` says would do something, so a pass
with nothing due costs a few statements however many operators there are.
"""

import asyncio
import logging
import time as clock_time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from audit_export.domain.chain import ExportRun, ExportState, PackLink, next_unbuilt_day
from audit_export.domain.schedule import chain_first_day, due_through, retry_delay
from audit_export.domain.targets import SftpTarget, Targets
from audit_export.service.packs import (
    ChainError,
    PackBuildPorts,
    PackIntegrityError,
    PackPlan,
    build_unsent,
    plan_pack,
    record_pack,
    write_pack,
)
from audit_export.service.packs import ensure_chain as ensure_operator_chain
from audit_export.service.ports import (
    Delivery,
    DeliveryError,
    ExportObserver,
    OperatorLocks,
    Uploader,
)
from auditpack.pack import LogAlteredError, PackBuildError
from auditpack.signing import NoSigningKeyError
from contracts.audit import AuditExportFailed, AuditPackExported
from contracts.clock import Clock

log = logging.getLogger(__name__)
EVENT_IDS = uuid.UUID("0f0c4b1e-5d2a-4c77-9a0e-6a7d2b9e81c3")


@dataclass(frozen=True)
class ExportPolicy:
    export_at: time = time(1, 0)
    attempts_per_pass: int = 3
    attempt_backoff_s: float = 2.0
    retry_base_s: float = 60.0
    retry_cap_s: float = 3600.0


@dataclass(frozen=True)
class ExportPassPorts:
    """The export pass's ports, wired once in `create`.

    A pass takes many short units of work on purpose (an operator's runs, each pack's steps,
    each run's result), opened from `workshop.units` (see service/packs.py).
    """

    workshop: PackBuildPorts
    locks: OperatorLocks
    uploader: Uploader
    targets: Targets
    policy: ExportPolicy
    clock: Clock
    metrics: ExportObserver | None = None


@dataclass
class PassReport:
    due: date
    built: list[tuple[str, date]] = field(default_factory=list)
    delivered: list[tuple[str, date]] = field(default_factory=list)
    failed: list[tuple[str, date, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


async def run_pass(exporter: ExportPassPorts, operators: list[str]) -> PassReport:
    """One pass over `operators` at the exporter's current time (those with work, in order)."""
    now = exporter.clock()
    report = PassReport(due=due_through(now, exporter.policy.export_at))
    if not operators:
        return report
    async with exporter.workshop.units() as uow:
        states = await uow.chains.export_states(operators)
    for operator_id in operators:
        has_target = exporter.targets.get(operator_id) is not None
        if not has_work(states[operator_id], due=report.due, now=now, has_target=has_target):
            continue
        try:
            await export_operator(exporter, operator_id, due=report.due, now=now, report=report)
        except Exception as exc:
            log.exception("export of %s failed", operator_id)
            report.errors.append((operator_id, f"{exc.__class__.__name__}: {exc}"))
            if exporter.metrics is not None:
                exporter.metrics.failed("build")
    return report


def has_work(state: ExportState, *, due: date, now: datetime, has_target: bool) -> bool:
    """Whether `export_operator` (below) would do anything: the same steps, in its order.

    Register the chain (a first record or a target, and a due day); else, with a target and
    an undelivered run, retry the oldest one if its time has come (a run waiting for its
    retry holds back the later days); else build the chain's next day if it is due.
    """
    if state.first_day is None:
        return chain_first_day(state.first_record_at, due, has_target=has_target) is not None
    if has_target and state.oldest_open is not None:
        return state.oldest_open.due(now, has_target=True)
    return next_unbuilt_day(state.first_day, state.last_day) <= due


async def export_operator(
    exporter: ExportPassPorts, operator_id: str, *, due: date, now: datetime, report: PassReport
) -> None:
    """Register, retry, build and deliver what is due for the operator (see `has_work`)."""
    target = exporter.targets.get(operator_id)
    workshop = exporter.workshop
    async with exporter.locks.hold(operator_id, wait=False) as held:
        if not held:
            report.skipped.append(operator_id)
            return
        async with workshop.units() as uow:
            first = await ensure_operator_chain(
                uow, operator_id, due=due, has_target=target is not None, now=now
            )
        if first is None:
            return
        if target is not None:
            async with workshop.units() as uow:
                waiting = await uow.runs.open_runs(operator_id)
            for run in waiting:
                if not run.due(now, has_target=True):
                    return  # an older day waits for its retry; later days keep their order
                if not await _deliver_day(exporter, operator_id, run.day, target, run, report):
                    return
        async with workshop.units() as uow:
            newest = await uow.chains.last_link(operator_id)
        day = next_unbuilt_day(first, None if newest is None else newest.day)
        while day <= due:
            if target is None:
                await build_unsent(workshop, operator_id, day, now=now)
                report.built.append((operator_id, day))
            elif not await _deliver_day(exporter, operator_id, day, target, None, report):
                return
            day += timedelta(days=1)


async def _deliver_day(
    exporter: ExportPassPorts,
    operator_id: str,
    day: date,
    target: SftpTarget,
    run: ExportRun | None,
    report: PassReport,
) -> bool:
    """Build (or rebuild) the day's pack straight into the archive, with in-pass retries."""
    workshop, policy, metrics = exporter.workshop, exporter.policy, exporter.metrics
    previous_attempts = 0 if run is None else run.attempts
    if run is None:
        async with workshop.units() as uow:
            await uow.runs.open_run(operator_id, day)
    error: DeliveryError | None = None
    tries = 0
    while tries < policy.attempts_per_pass:
        tries += 1
        started = clock_time.perf_counter()
        try:
            plan = await plan_pack(workshop, operator_id, day)
            link, delivery = await _stream(exporter, plan, target)
        except (PackIntegrityError, ChainError, PackBuildError, NoSigningKeyError) as exc:
            altered = isinstance(exc, PackIntegrityError | LogAlteredError)
            reason = "integrity" if altered else "build"
            error = DeliveryError(reason, f"{exc.__class__.__name__}: {exc}")
            log.error("cannot build the pack of %s %s: %s", operator_id, day, exc)
            if metrics is not None:
                metrics.failed(reason)
            break  # retrying at once would fail the same way
        except DeliveryError as exc:
            error = exc
            log.warning(
                "delivery of %s %s failed (try %d): %s",
                operator_id,
                day,
                previous_attempts + tries,
                exc,
                extra={"operator_id": operator_id, "reason": exc.reason},
            )
            if metrics is not None:
                metrics.delivery_failed(exc.reason)
            if tries < policy.attempts_per_pass:
                await asyncio.sleep(policy.attempt_backoff_s * 2 ** (tries - 1))
            continue
        if metrics is not None:
            metrics.delivered(seconds=clock_time.perf_counter() - started)
        if plan.link is None:
            report.built.append((operator_id, day))
        await _record_success(
            exporter, link, delivery, tries=tries, total=previous_attempts + tries
        )
        report.delivered.append((operator_id, day))
        return True
    assert error is not None
    await _record_failure(exporter, operator_id, day, error, tries, previous_attempts)
    report.failed.append((operator_id, day, error.reason))
    return False


async def _stream(
    exporter: ExportPassPorts, plan: PackPlan, target: SftpTarget
) -> tuple[PackLink, Delivery]:
    """One delivery try: the builder writes into the archive; the link is recorded (or the
    rebuild checked) after the upload is verified and before it gets its final name."""
    async with exporter.uploader.upload(target, plan.filename) as upload:
        result = await write_pack(exporter.workshop, plan, upload)
        delivery = await upload.verify()
        link = await record_pack(
            exporter.workshop, plan, result, delivery.sha256, now=exporter.clock(), has_target=True
        )
        await upload.publish()
    return link, delivery


async def _record_success(
    exporter: ExportPassPorts, link: PackLink, delivery: Delivery, *, tries: int, total: int
) -> None:
    now = exporter.clock()
    data = AuditPackExported(
        operator_id=link.operator_id,
        day=link.day,
        pack_seq=link.pack_seq,
        manifest_sha256=link.manifest_sha256,
        tree_size=link.log_after.size,
        root=link.root_hex,
        remote_path=delivery.remote_path,
        exported_at=now,
        zip_sha256=link.zip_sha256,
        zip_bytes=delivery.size,
        attempts=total,
    )
    # Deterministic, so a crash between rename and commit re-emits the same event on retry.
    event_id = uuid.uuid5(
        EVENT_IDS, f"exported:{link.operator_id}:{link.day}:{link.zip_sha256}:{total}"
    )
    async with exporter.workshop.units() as uow:
        await uow.runs.mark_succeeded(
            link.operator_id,
            link.day,
            attempts=tries,
            remote_path=delivery.remote_path,
            now=now,
        )
        await uow.events.emit(
            data, tenant=link.operator_id, subject=link.day.isoformat(), event_id=str(event_id)
        )
    log.info(
        "delivered %s to %s",
        link.filename,
        delivery.remote_path,
        extra={"operator_id": link.operator_id, "attempts": total},
    )


async def _record_failure(
    exporter: ExportPassPorts,
    operator_id: str,
    day: date,
    error: DeliveryError,
    tries: int,
    previous_attempts: int,
) -> None:
    now = exporter.clock()
    policy = exporter.policy
    total = previous_attempts + tries
    next_at = now + retry_delay(max(total, 1), base_s=policy.retry_base_s, cap_s=policy.retry_cap_s)
    data = AuditExportFailed(
        operator_id=operator_id,
        day=day,
        attempt=total,
        error=str(error)[:2000],
        failed_at=now,
        reason=error.reason,
        next_attempt_at=next_at,
    )
    async with exporter.workshop.units() as uow:
        await uow.runs.mark_failed(
            operator_id,
            day,
            attempts=tries,
            error=str(error)[:2000],
            reason=error.reason,
            next_attempt_at=next_at,
            now=now,
        )
        await uow.events.emit(data, tenant=operator_id, subject=day.isoformat())
