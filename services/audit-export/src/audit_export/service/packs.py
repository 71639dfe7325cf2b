"""Build an operator's daily packs in chain order, and rebuild any of them byte for byte.

The first build of a day seals it in the log (no later append can land in it), streams its
records through the incremental builder into a sink (one flat loop: a block in, the bytes it
adds out), and records the pack as the next link of the chain together with its export run.
A rebuild streams the same index range with the stored spec and must reproduce the stored
manifest and zip hashes, or it fails loudly.

Several transactions on purpose, so the workshop carries `units` (the entrypoint's
`audit_units(runtime)`, documented in `PackBuildPorts`) and each step opens its own short unit:
reading the chain, sealing the day (committed before the block stream, on its own
connection, reads the sealed range, so no transaction stays open while a pack streams),
and recording the link after the build (or, for a delivery, after the upload is verified).
"""

import asyncio
import hashlib
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from audit_export.domain.chain import PackLink, RunStatus, first_spec
from audit_export.domain.schedule import chain_first_day
from audit_export.service.ports import (
    AuditUnit,
    AuditUnits,
    BlockSource,
    ExportObserver,
    PackSink,
)
from auditpack.pack import PackBuilder, PackResult, PackSpec
from auditpack.period import Period, pack_filename
from auditpack.signing import KeyRing


class ChainError(RuntimeError):
    """A pack cannot be built yet or at all (missing previous link, no key, before the chain)."""


class PackIntegrityError(RuntimeError):
    """A rebuilt pack differs from the one recorded: the log or the keyring changed."""


@dataclass(frozen=True)
class PackBuildPorts:
    """Everything building a pack needs, wired once in `create`.

    `units` opens the short units of work a build takes one after the other (module
    docstring); it is the entrypoint's `audit_units(runtime)`, passed in, never a session.
    """

    units: AuditUnits
    blocks: BlockSource
    keyring: KeyRing | None
    work_dir: Path | None = None
    metrics: ExportObserver | None = None


@dataclass(frozen=True)
class BuiltPack:
    link: PackLink
    path: Path


async def ensure_chain(
    uow: AuditUnit,
    operator_id: str,
    *,
    due: date,
    has_target: bool,
    now: datetime,
) -> date | None:
    """The operator's chain start, registering it on first need; None if no pack is due yet."""
    first = await uow.chains.chain_first_day(operator_id)
    if first is not None:
        return first
    first_record = await uow.log.first_recorded_at(operator_id)
    chosen = chain_first_day(first_record, due, has_target=has_target)
    if chosen is None:
        return None
    return await uow.chains.register_chain(operator_id, chosen, now=now)


async def _spec_for_new(uow: AuditUnit, operator_id: str, day: date) -> PackSpec:
    previous = await uow.chains.link(operator_id, day - timedelta(days=1))
    if previous is not None:
        return previous.next_spec()
    first = await uow.chains.chain_first_day(operator_id)
    if first == day:
        return first_spec(operator_id, day)
    if first is None or day < first:
        raise ChainError(f"{operator_id} has no pack chain on {day} (it starts {first})")
    raise ChainError(f"{operator_id}: the pack of {day - timedelta(days=1)} is not built yet")


@dataclass(frozen=True)
class PackPlan:
    """Which pack to (re)build: its spec, the log index range it holds, its recorded link."""

    spec: PackSpec
    start: int
    end: int
    link: PackLink | None

    @property
    def filename(self) -> str:
        return spec_filename(self.spec)


async def plan_pack(workshop: PackBuildPorts, operator_id: str, day: date) -> PackPlan:
    """The plan of the operator's pack of `day`; a first build seals the day in the log."""
    if workshop.keyring is None:
        raise ChainError("no signing key is configured (AUDIT_EXPORT_SIGNING_KEYS)")
    async with workshop.units() as uow:
        link = await uow.chains.link(operator_id, day)
        spec = link.spec if link is not None else await _spec_for_new(uow, operator_id, day)
    if link is not None:
        return PackPlan(spec, link.log_before.size, link.log_after.size, link)
    async with workshop.units() as uow:  # the seal commits before anything reads the range
        size = await uow.log.seal(operator_id, Period.day(day).end)
    async with workshop.units() as uow:
        end = await uow.log.first_index_at_or_after(operator_id, Period.day(day).end, default=size)
    return PackPlan(spec, spec.log_before.size, end, None)


async def write_pack(workshop: PackBuildPorts, plan: PackPlan, sink: PackSink) -> PackResult:
    """Stream the plan's records from the log through the builder into `sink`."""
    keyring = workshop.keyring
    assert keyring is not None
    tmp = Path(tempfile.mkdtemp(prefix="auditpack-", dir=workshop.work_dir))
    started = time.perf_counter()
    blocks = workshop.blocks.blocks(plan.spec.operator_id, plan.start, plan.end)
    try:
        async with aclosing(blocks):
            with PackBuilder(spec=plan.spec, keyring=keyring, tmp_dir=tmp) as builder:
                async for block in blocks:
                    await sink.write(builder.add_block(block))
                for chunk in builder.finish():
                    await sink.write(chunk)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if workshop.metrics is not None:
        workshop.metrics.built(seconds=time.perf_counter() - started)
    return builder.result


async def record_pack(
    workshop: PackBuildPorts,
    plan: PackPlan,
    result: PackResult,
    zip_sha256: str,
    *,
    now: datetime,
    has_target: bool,
) -> PackLink:
    """A first build becomes the chain's next link (with its export run); a rebuild must
    reproduce the recorded pack exactly."""
    built = PackLink.of(plan.spec, result, zip_sha256=zip_sha256, built_at=now)
    if plan.link is None:
        status = RunStatus.PENDING if has_target else RunStatus.AWAITING_TARGET
        async with workshop.units() as uow:
            await uow.chains.add_link(built, status=status)
        return built
    if (built.manifest_sha256, built.zip_sha256) != (
        plan.link.manifest_sha256,
        plan.link.zip_sha256,
    ):
        raise PackIntegrityError(
            f"rebuilding {plan.filename} gave manifest {built.manifest_sha256} and zip "
            f"{built.zip_sha256}, recorded {plan.link.manifest_sha256} and "
            f"{plan.link.zip_sha256}: the log or the signing keys changed"
        )
    return plan.link


class _HashingSink:
    """A sink that keeps only the SHA-256 of what is written (and may tee it to a file)."""

    def __init__(self, tee: BinaryIO | None = None) -> None:
        self._tee = tee
        self.digest = hashlib.sha256()

    async def write(self, data: bytes) -> None:
        if self._tee is not None:
            self._tee.write(data)
        self.digest.update(data)


async def build_unsent(
    workshop: PackBuildPorts,
    operator_id: str,
    day: date,
    *,
    now: datetime,
    has_target: bool = False,
) -> PackLink:
    """Build (or check) a pack that is not delivered now: only its hashes are kept, no file."""
    plan = await plan_pack(workshop, operator_id, day)
    sink = _HashingSink()
    result = await write_pack(workshop, plan, sink)
    return await record_pack(
        workshop, plan, result, sink.digest.hexdigest(), now=now, has_target=has_target
    )


@asynccontextmanager
async def built_pack(
    workshop: PackBuildPorts, operator_id: str, day: date, *, now: datetime, has_target: bool
) -> AsyncIterator[BuiltPack]:
    """The operator's pack of `day` in a temporary file (built now, or rebuilt identically)."""
    plan = await plan_pack(workshop, operator_id, day)
    tmp = Path(tempfile.mkdtemp(prefix="auditpack-", dir=workshop.work_dir))
    try:
        path = tmp / plan.filename

        async def to_file() -> tuple[PackResult, str]:
            handle = await asyncio.to_thread(path.open, "wb")
            try:
                sink = _HashingSink(handle)
                result = await write_pack(workshop, plan, sink)
            finally:
                await asyncio.to_thread(handle.close)
            return result, sink.digest.hexdigest()

        result, zip_sha256 = await to_file()
        link = await record_pack(workshop, plan, result, zip_sha256, now=now, has_target=has_target)
        yield BuiltPack(link=link, path=path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def spec_filename(spec: PackSpec) -> str:
    return pack_filename(spec.operator_id, spec.period.start.date())


async def build_through(
    workshop: PackBuildPorts, operator_id: str, last: date, *, now: datetime, has_target: bool
) -> None:
    """Build every missing pack of the operator's chain up to `last` (in order)."""
    async with workshop.units() as uow:
        first = await uow.chains.chain_first_day(operator_id)
        newest = await uow.chains.last_link(operator_id)
    if first is None:
        raise ChainError(f"{operator_id} has no pack chain")
    day = first if newest is None else newest.day + timedelta(days=1)
    while day <= last:
        await build_unsent(workshop, operator_id, day, now=now, has_target=has_target)
        day += timedelta(days=1)
