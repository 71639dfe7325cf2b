"""Which operators the nightly pass covers, and the export gauges recomputed from the database."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from audit_export.adapters import chain_store, log_store
from audit_export.adapters.metrics import AuditMetrics
from audit_export.domain.targets import Targets
from contracts import topics


async def discover_operators(
    sessions: async_sessionmaker[AsyncSession], targets: Targets
) -> tuple[list[str], list[str]]:
    """(operators to export, those without a target).

    Every operator with an SFTP target (so a new archive gets packs, empty ones included,
    from the next night) plus every operator seen in the audit log (so its chain of packs is
    kept even before a target exists). The platform tenant is not an operator: no packs.
    """
    async with sessions() as session:
        logged = set(await log_store.operators_in_log(session))
    logged.discard(topics.PLATFORM_TENANT)
    operators = sorted(set(targets) | logged)
    return operators, sorted(logged - set(targets))


async def refresh_metrics(
    sessions: async_sessionmaker[AsyncSession],
    metrics: AuditMetrics,
    targets: Targets,
    *,
    without_target: int,
    now: datetime,
) -> None:
    async with sessions() as session:
        snapshot = await chain_store.status_snapshot(session)
    metrics.refresh(
        snapshot, with_target=set(targets), without_target=without_target, passed_at=now
    )
