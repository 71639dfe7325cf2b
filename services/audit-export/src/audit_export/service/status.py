"""Which operators the nightly pass covers, and the export gauges recomputed from the database."""

from datetime import datetime

from audit_export.domain.targets import Targets
from audit_export.service.ports import AuditUnit, ExportObserver
from contracts import topics


async def discover_operators(uow: AuditUnit, targets: Targets) -> tuple[list[str], list[str]]:
    """(operators to export, those without a target).

    Every operator with an SFTP target (so a new archive gets packs, empty ones included,
    from the next night) plus every operator seen in the audit log (so its chain of packs is
    kept even before a target exists). The platform tenant is not an operator: no packs.
    """
    logged = set(await uow.log.operators_in_log())
    logged.discard(topics.PLATFORM_TENANT)
    operators = sorted(set(targets) | logged)
    return operators, sorted(logged - set(targets))


async def refresh_metrics(
    uow: AuditUnit,
    metrics: ExportObserver,
    targets: Targets,
    *,
    without_target: int,
    now: datetime,
) -> None:
    snapshot = await uow.chains.status_snapshot()
    metrics.refresh(
        snapshot, with_target=set(targets), without_target=without_target, passed_at=now
    )
