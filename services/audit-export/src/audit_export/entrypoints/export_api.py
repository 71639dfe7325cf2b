"""Export runs (status, attempts, errors), retries, and on-demand inspection bundles."""

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from academy_runtime.auth import CurrentPrincipal, require_roles
from academy_runtime.bodies import RequestBody
from academy_runtime.errors import ErrorBody
from audit_export.domain.chain import ExportRun
from audit_export.entrypoints.deps import (
    INSPECTOR_ROLES,
    SUPPORT_ROLES,
    OperatorPath,
    ReasonText,
    UowDep,
    WiringDep,
    require_inspector,
)
from audit_export.service.inspection import (
    InspectionError,
    Requester,
    check_scope,
    export_bundle,
    record_action,
    record_request,
)
from audit_export.service.packs import ChainError, PackIntegrityError
from auditpack.inspection import InspectionScope
from auditpack.pack import PackBuildError
from auditpack.signing import NoSigningKeyError
from contracts.base import UtcDatetime
from contracts.identifiers import JurisdictionCode

router = APIRouter(prefix="/v1/audit/operators/{operator_id}", tags=["exports"])


class RunOut(BaseModel):
    day: date
    status: str
    attempts: int
    last_error: str | None
    failure_reason: str | None
    next_attempt_at: UtcDatetime | None
    remote_path: str | None
    delivered_at: UtcDatetime | None

    @classmethod
    def of(cls, run: ExportRun) -> "RunOut":
        return cls(
            day=run.day,
            status=run.status.value,
            attempts=run.attempts,
            last_error=run.last_error,
            failure_reason=run.failure_reason,
            next_attempt_at=run.next_attempt_at,
            remote_path=run.remote_path,
            delivered_at=run.delivered_at,
        )


class RunsPage(BaseModel):
    operator_id: str
    target: dict[str, Any] | None = Field(description="the SFTP target, without secrets")
    runs: list[RunOut]


class BundleRequest(RequestBody):
    jurisdiction: JurisdictionCode = Field(examples=["MGA"])
    from_day: date = Field(alias="from", examples=["2026-11-01"])
    to_day: date = Field(alias="to", description="inclusive; a UTC day that has ended")
    reason: ReasonText | None = Field(
        default=None, description="why; required for academy_support/academy_auditor"
    )


class RetryRequest(RequestBody):
    reason: ReasonText


@router.get("/exports", response_model=RunsPage, summary="Export runs of an operator, newest first")
async def list_runs(
    operator_id: OperatorPath,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
    before: date | None = None,
    limit: Annotated[int, Query(ge=1, le=366)] = 31,
) -> RunsPage:
    if not principal.has_role("academy_admin"):
        require_inspector(principal, operator_id)
    runs = await uow.runs.runs(operator_id, limit=limit, before=before)
    target = wiring.targets.get(operator_id)
    return RunsPage(
        operator_id=operator_id,
        target=None if target is None else target.public_view(),
        runs=[RunOut.of(run) for run in runs],
    )


@router.post(
    "/exports/{day}/retry",
    response_model=RunOut,
    summary="Make a failed delivery due now (after fixing the archive); audited",
    dependencies=[require_roles(*SUPPORT_ROLES)],
)
async def retry_run(
    operator_id: OperatorPath,
    day: date,
    body: RetryRequest,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
) -> RunOut:
    now = wiring.clock()
    if not await uow.runs.retry_now(operator_id, day, now=now):
        raise HTTPException(404, f"no undelivered export of {operator_id} on {day}")
    runs = await uow.runs.runs(operator_id, limit=1, before=day + timedelta(days=1))
    await record_action(
        uow,
        wiring.runtime,
        operator_id=operator_id,
        action="audit.export.retry_requested",
        target=day.isoformat(),
        requester=Requester(principal.actor, body.reason),
        now=now,
    )
    return RunOut.of(runs[0])


@router.post(
    "/inspection-bundles",
    summary="An inspection bundle: the daily packs of a date range and a jurisdiction view",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/zip": {}}},
        422: {"model": ErrorBody, "description": "No reason given, or the range is not valid"},
        409: {"model": ErrorBody, "description": "The pack chain cannot be built or verified"},
    },
)
async def inspection_bundle(
    operator_id: OperatorPath,
    body: BundleRequest,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
) -> FileResponse:
    require_inspector(principal, operator_id)
    own = principal.operator_id == operator_id and not principal.has_role(*INSPECTOR_ROLES)
    if body.reason is None and not own:
        invalid = ErrorBody(error="invalid_request", detail="give a reason")
        raise HTTPException(422, invalid.body())
    reason = body.reason or "the operator's compliance officer exported its own evidence"
    scope = InspectionScope(operator_id, body.jurisdiction, body.from_day, body.to_day)
    now = wiring.clock()
    work = Path(tempfile.mkdtemp(prefix="inspection-", dir=wiring.workshop.work_dir))
    try:
        check_scope(scope, now=now, max_days=wiring.inspection_max_days)
        out = work / scope.filename
        await export_bundle(
            wiring.workshop,
            wiring.exporter.locks,
            scope,
            out,
            now=now,
            has_target=operator_id in wiring.targets,
        )
        await record_request(
            uow, wiring.runtime, scope, Requester(principal.actor, reason), now=now
        )
    except InspectionError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise HTTPException(
            422, ErrorBody(error="invalid_request", detail=str(exc)).body()
        ) from exc
    except (ChainError, NoSigningKeyError, PackBuildError, PackIntegrityError) as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise HTTPException(409, ErrorBody(error="conflict", detail=str(exc)).body()) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return FileResponse(
        out,
        media_type="application/zip",
        filename=scope.filename,
        background=BackgroundTask(shutil.rmtree, work, ignore_errors=True),
    )
