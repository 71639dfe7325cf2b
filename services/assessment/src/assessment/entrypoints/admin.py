"""Admin API: operators and their go-live jurisdictions."""

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from academy_runtime.auth import CurrentPrincipal, Principal, require_roles
from academy_runtime.db import transaction
from academy_runtime.service import ServiceRuntime
from academy_runtime.text import ReasonText
from assessment.entrypoints.deps import BEARER, OperatorPath
from assessment.entrypoints.errors import AUTHENTICATED, error_responses
from assessment.service import operators
from contracts.identifiers import JurisdictionCode

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=BEARER,
    responses=error_responses(*AUTHENTICATED),
)


class JurisdictionsBody(BaseModel):
    jurisdictions: list[JurisdictionCode] = Field(
        min_length=1, max_length=50, examples=[["MGA", "GCB"]]
    )
    reason: ReasonText | None = Field(default=None, examples=["Go-live Q1 2027"])


class OperatorJurisdictions(BaseModel):
    operator_id: str = Field(examples=["op-123"])
    jurisdictions: list[str] = Field(examples=[["GCB", "MGA"]])
    changed: bool = Field(default=False, description="false when the set was already stored")


def _can_administer(principal: Principal, operator_id: str) -> bool:
    if principal.has_role("academy_admin", "academy_support"):
        return True
    return principal.operator_id == operator_id and principal.has_role("operator_admin")


@router.put(
    "/operators/{operator_id}/jurisdictions",
    response_model=OperatorJurisdictions,
    summary="Set the jurisdictions an operator is going live in",
    responses=error_responses(400),
    dependencies=[require_roles("academy_admin", "academy_support", "operator_admin")],
)
async def put_jurisdictions(
    operator_id: OperatorPath,
    body: JurisdictionsBody,
    request: Request,
    principal: CurrentPrincipal,
) -> OperatorJurisdictions:
    if not _can_administer(principal, operator_id):
        raise HTTPException(
            403,
            {
                "error": "forbidden",
                "reason": "foreign_operator",
                "detail": "operator admins may only change their own operator",
            },
        )
    runtime: ServiceRuntime = request.app.state.runtime
    async with transaction(runtime.sessions) as session:
        changed = await operators.set_jurisdictions(
            session,
            events=runtime,
            operator_id=operator_id,
            jurisdictions=body.jurisdictions,
            actor=principal.actor,
            reason=body.reason,
            now=datetime.now(UTC),
        )
    return OperatorJurisdictions(
        operator_id=operator_id, jurisdictions=sorted(set(body.jurisdictions)), changed=changed
    )


@router.get(
    "/operators/{operator_id}/jurisdictions",
    response_model=OperatorJurisdictions,
    summary="The jurisdictions an operator is going live in",
    responses=error_responses(404),
)
async def get_jurisdictions(
    operator_id: OperatorPath, request: Request, principal: CurrentPrincipal
) -> OperatorJurisdictions:
    if principal.operator_id != operator_id and not principal.has_role(
        "academy_admin", "academy_support"
    ):
        raise HTTPException(404, f"operator {operator_id!r} not found")
    runtime: ServiceRuntime = request.app.state.runtime
    async with runtime.sessions() as session:
        found = await operators.get_jurisdictions(session, operator_id)
    if found is None:
        raise HTTPException(
            404, f"operator {operator_id!r} has no jurisdictions set yet; PUT them first"
        )
    return OperatorJurisdictions(operator_id=operator_id, jurisdictions=found)
