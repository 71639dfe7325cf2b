"""Read API over the audit log (support and inspection tooling)."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from academy_runtime.auth import CurrentPrincipal
from audit_export.entrypoints.deps import UowDep

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class LogEntry(BaseModel):
    index: int
    event_id: str
    type: str
    recorded_at: str


class LogPage(BaseModel):
    operator_id: str
    size: int
    entries: list[LogEntry]


@router.get("/operators/{operator_id}/log", response_model=LogPage, summary="An operator's log")
async def operator_log(
    operator_id: str,
    principal: CurrentPrincipal,
    uow: UowDep,
    after: Annotated[int, Query(ge=-1)] = -1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> LogPage:
    if principal.operator_id != operator_id and not principal.has_role(
        "academy_admin", "academy_support", "academy_auditor"
    ):
        raise HTTPException(404, f"operator {operator_id!r} not found")
    size, entries = await uow.log.entries(operator_id, after=after, limit=limit)
    return LogPage(
        operator_id=operator_id,
        size=size,
        entries=[
            LogEntry(
                index=e.index,
                event_id=e.event_id,
                type=e.ce_type,
                recorded_at=e.recorded_at.isoformat(),
            )
            for e in entries
        ],
    )
