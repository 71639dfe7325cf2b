"""Read API over the audit log (support and inspection tooling)."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel
from sqlalchemy import func, select

from academy_runtime.auth import CurrentPrincipal
from academy_runtime.service import ServiceRuntime
from audit_export.adapters.orm import audit_log

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
    request: Request,
    principal: CurrentPrincipal,
    after: Annotated[int, Query(ge=-1)] = -1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> LogPage:
    if principal.operator_id != operator_id and not principal.has_role(
        "academy_admin", "academy_support", "academy_auditor"
    ):
        raise HTTPException(404, f"operator {operator_id!r} not found")
    runtime: ServiceRuntime = request.app.state.runtime
    async with runtime.sessions() as session:
        size = await session.scalar(
            select(func.count())
            .select_from(audit_log)
            .where(audit_log.c.operator_id == operator_id)
        )
        rows = (
            await session.execute(
                select(
                    audit_log.c.idx,
                    audit_log.c.event_id,
                    audit_log.c.ce_type,
                    audit_log.c.recorded_at,
                )
                .where(audit_log.c.operator_id == operator_id, audit_log.c.idx > after)
                .order_by(audit_log.c.idx)
                .limit(limit)
            )
        ).all()
    return LogPage(
        operator_id=operator_id,
        size=int(size or 0),
        entries=[
            LogEntry(
                index=r.idx,
                event_id=r.event_id,
                type=r.ce_type,
                recorded_at=r.recorded_at.isoformat(),
            )
            for r in rows
        ],
    )
