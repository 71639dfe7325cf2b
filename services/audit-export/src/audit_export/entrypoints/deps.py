"""What the routers and background tasks share: the wiring built in `create`, access rules."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request

from academy_runtime.auth import Principal
from academy_runtime.errors import ErrorBody
from academy_runtime.service import ServiceRuntime
from academy_runtime.text import ReasonText as ReasonText
from academy_runtime.uow import unit_of_work
from audit_export.adapters.metrics import AuditMetrics
from audit_export.adapters.unit_of_work import SqlAuditUnit
from audit_export.domain.targets import Targets
from audit_export.service.exports import ExportPassPorts
from audit_export.service.packs import PackBuildPorts
from contracts import identifiers
from contracts.clock import Clock

#: Vendor roles that may read and export any operator's audit evidence.
INSPECTOR_ROLES = ("academy_support", "academy_auditor")
#: Roles that may act on another operator's exports (retry a delivery).
SUPPORT_ROLES = ("academy_support", "academy_admin")
#: The operator-side role that may export its own operator's evidence.
OPERATOR_ROLE = "compliance_officer"

OperatorPath = Annotated[str, Path(pattern=identifiers.OPERATOR_ID_PATTERN, examples=["op-123"])]


@dataclass(frozen=True)
class Wiring:
    runtime: ServiceRuntime
    workshop: PackBuildPorts
    exporter: ExportPassPorts
    targets: Targets
    clock: Clock
    metrics: AuditMetrics
    inspection_max_days: int


async def _wiring(request: Request) -> Wiring:  # async: a def dependency costs a thread hop
    wiring: Wiring = request.app.state.audit_export
    return wiring


WiringDep = Annotated[Wiring, Depends(_wiring)]
#: A route's unit of work (committed before the response is sent), the runtime's one way.
UowDep = Annotated[SqlAuditUnit, unit_of_work(SqlAuditUnit)]


def may_inspect(principal: Principal, operator_id: str) -> bool:
    """Vendor inspectors see every operator; a compliance officer sees their own."""
    if principal.has_role(*INSPECTOR_ROLES):
        return True
    return principal.operator_id == operator_id and principal.has_role(OPERATOR_ROLE)


def require_inspector(principal: Principal, operator_id: str) -> None:
    if may_inspect(principal, operator_id):
        return
    if principal.operator_id != operator_id:
        # Do not confirm that a foreign operator exists.
        raise HTTPException(404, f"operator {operator_id!r} not found")
    raise HTTPException(
        403,
        ErrorBody(
            error="forbidden",
            reason="role",
            detail=f"exporting audit evidence needs the {OPERATOR_ROLE} role "
            f"(or {' or '.join(INSPECTOR_ROLES)})",
        ).body(),
    )
