"""Admin API: operators and their go-live jurisdictions."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from academy_runtime.auth import CurrentPrincipal, Principal, require_roles
from academy_runtime.bodies import RequestBody
from academy_runtime.errors import ErrorBody
from academy_runtime.input_guard import invalid_request_body
from academy_runtime.text import ReasonText
from assessment.entrypoints.deps import BEARER, OperatorPath, UowDep
from assessment.entrypoints.errors import AUTHENTICATED, error_responses
from assessment.service import operators
from contracts.identifiers import JurisdictionCode

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=BEARER,
    responses=error_responses(*AUTHENTICATED),
)


class JurisdictionsBody(RequestBody):
    jurisdictions: list[JurisdictionCode] = Field(
        min_length=1,
        max_length=50,
        examples=[["MGA", "GCB"]],
        description="each one published by the catalogue (a track staff can train for)",
    )
    reason: ReasonText | None = Field(default=None, examples=["Go-live Q1 2027"])
    new_operator: bool = Field(
        default=False,
        description="vendor admin/support onboarding an operator assessment has never seen "
        "(no staff signed in, no go-live set); recorded in the event's reason",
    )


class OperatorJurisdictions(BaseModel):
    operator_id: str = Field(examples=["op-123"])
    jurisdictions: list[str] = Field(examples=[["GCB", "MGA"]])
    changed: bool = Field(default=False, description="false when the set was already stored")


def _can_administer(principal: Principal, operator_id: str) -> bool:
    if principal.has_role("academy_admin", "academy_support"):
        return True
    return principal.operator_id == operator_id and principal.has_role("operator_admin")


def _documented(status: int, description: str, example: dict[str, Any]) -> dict[int | str, Any]:
    content = {"application/json": {"example": example}}
    return {status: {"model": ErrorBody, "description": description, "content": content}}


PUT_ERRORS = {
    **error_responses(400),
    **_documented(
        404,
        "A vendor admin named an operator assessment has never seen (`did_you_mean` lists close "
        'ids; send `"new_operator": true` to onboard a brand-new one)',
        {
            "error": "not_found",
            "reason": "unknown_operator",
            "detail": "no operator 'demo-operatr'; did you mean 'demo-operator'?",
            "did_you_mean": ["demo-operator"],
        },
    ),
    **_documented(
        422,
        "The body does not validate, or a jurisdiction is not published (`published` lists "
        "the published ones)",
        {
            "error": "invalid_request",
            "detail": "fix the listed fields: jurisdictions.0",
            "problems": [
                {
                    "field": "jurisdictions.0",
                    "problem": "'ZZZZ' is not published by the catalogue; published: GCB, GSC, MGA",
                }
            ],
            "published": ["GCB", "GSC", "MGA"],
        },
    ),
}


@router.put(
    "/operators/{operator_id}/jurisdictions",
    response_model=OperatorJurisdictions,
    summary="Set the jurisdictions an operator is going live in",
    description="An operator's own `operator_admin` may always set its go-live jurisdictions. "
    "Vendor staff (`academy_admin`, `academy_support`) may set any known operator's (one "
    "whose staff signed in or whose go-live was set); an unknown one is a 404 with "
    '`did_you_mean`, unless the body says `"new_operator": true` (onboarding, recorded in '
    "the event's reason). Every jurisdiction must have a track published by the catalogue "
    "(422 listing the published ones otherwise).",
    responses=PUT_ERRORS,
    dependencies=[require_roles("academy_admin", "academy_support", "operator_admin")],
)
async def put_jurisdictions(
    operator_id: OperatorPath,
    body: JurisdictionsBody,
    principal: CurrentPrincipal,
    uow: UowDep,
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
    try:
        changed = await operators.set_jurisdictions(
            uow=uow,
            operator_id=operator_id,
            jurisdictions=body.jurisdictions,
            actor=principal.actor,
            reason=body.reason,
            now=datetime.now(UTC),
            vouched=principal.operator_id == operator_id,
            new_operator=body.new_operator,
        )
    except operators.UnknownOperator as exc:
        raise HTTPException(404, exc.body) from exc
    except operators.Unpublished as exc:
        invalid = invalid_request_body(exc.problems)
        raise HTTPException(422, {**invalid, "published": exc.published}) from exc
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
    operator_id: OperatorPath, principal: CurrentPrincipal, uow: UowDep
) -> OperatorJurisdictions:
    if principal.operator_id != operator_id and not principal.has_role(
        "academy_admin", "academy_support"
    ):
        raise HTTPException(404, f"operator {operator_id!r} not found")
    found = await operators.get_jurisdictions(uow, operator_id)
    if found is None:
        raise HTTPException(
            404, f"operator {operator_id!r} has no jurisdictions set yet; PUT them first"
        )
    return OperatorJurisdictions(operator_id=operator_id, jurisdictions=found)
