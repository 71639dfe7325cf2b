"""Support actions: revoke a certificate, reset attempts, waive the training rule.

Each needs a reason and is audited (actor and reason in the event)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from academy_runtime.auth import CurrentPrincipal, require_roles
from academy_runtime.bodies import RequestBody
from assessment.entrypoints.certificates import CertificateOut
from assessment.entrypoints.deps import (
    BEARER,
    SUPPORT_ROLES,
    OperatorPath,
    ReasonText,
    StaffIdPath,
    TrackKeyPath,
    UowDep,
    WiringDep,
    id_path,
)
from assessment.entrypoints.errors import WITH_BODY, error_responses
from assessment.service import operators, support
from contracts.base import UtcDatetime

router = APIRouter(
    prefix="/v1/support/operators/{operator_id}",
    tags=["support"],
    dependencies=[*BEARER, require_roles(*SUPPORT_ROLES)],
    responses=error_responses(*WITH_BODY, 404),
)


@asynccontextmanager
async def _known_operator() -> AsyncIterator[None]:
    """An operator assessment has never seen is a 404 naming the close ids (did_you_mean)."""
    try:
        yield
    except operators.UnknownOperator as exc:
        raise HTTPException(404, exc.body) from exc


CertificatePath = Annotated[str, id_path("0b6c3a52-8d3e-4a8f-bf1e-6f9d1c2e7a40")]


class Reason(RequestBody):
    reason: ReasonText = Field(
        description="why; stored and emitted with the actor", examples=["Exam taken by proxy"]
    )


class RevokedCertificate(CertificateOut):
    revoked_by: str


class TrainingWaiverOut(BaseModel):
    operator_id: str
    staff_id: str
    track_key: str = Field(examples=["MGA.compliance_officer"])
    track_version: str = Field(description="the version attempts may now start on")
    modules_waived: list[str] = Field(
        description="required modules not completed when waived (they stay not completed)",
        examples=[["core-kyc", "mga-local"]],
    )
    actor: str
    reason: str
    waived_at: UtcDatetime


class AttemptsResetOut(BaseModel):
    operator_id: str
    staff_id: str
    track_key: str
    actor: str
    reason: str
    reset_at: UtcDatetime


@router.post(
    "/certificates/{certificate_id}/revocation",
    response_model=RevokedCertificate,
    summary="Revoke a certificate from now on (recorded with actor and reason)",
    responses=error_responses(409),
)
async def revoke_certificate(
    operator_id: OperatorPath,
    certificate_id: CertificatePath,
    body: Reason,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
) -> RevokedCertificate:
    now = wiring.clock()
    async with _known_operator():
        revoked = await support.revoke(
            uow=uow,
            operator_id=operator_id,
            certificate_id=certificate_id,
            actor=principal.actor,
            reason=body.reason,
            now=now,
        )
    return RevokedCertificate(
        **CertificateOut.of(revoked, now=now).model_dump(), revoked_by=principal.actor
    )


@router.post(
    "/staff/{staff_id}/tracks/{track_key}/attempt-reset",
    response_model=AttemptsResetOut,
    summary="Reset a staff member's attempts on a track: a new cycle, no cooldown",
)
async def reset_attempts(
    operator_id: OperatorPath,
    staff_id: StaffIdPath,
    track_key: TrackKeyPath,
    body: Reason,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
) -> AttemptsResetOut:
    now = wiring.clock()
    async with _known_operator():
        await support.reset_attempts(
            uow=uow,
            operator_id=operator_id,
            staff_id=staff_id,
            track_key=track_key,
            actor=principal.actor,
            reason=body.reason,
            now=now,
        )
    return AttemptsResetOut(
        operator_id=operator_id,
        staff_id=staff_id,
        track_key=track_key,
        actor=principal.actor,
        reason=body.reason,
        reset_at=now,
    )


@router.post(
    "/staff/{staff_id}/tracks/{track_key}/training-waiver",
    response_model=TrainingWaiverOut,
    summary="Let a staff member start the exam of the track's current version without the "
    "required modules (recorded with actor and reason; completes nothing)",
)
async def waive_training(
    operator_id: OperatorPath,
    staff_id: StaffIdPath,
    track_key: TrackKeyPath,
    body: Reason,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
) -> TrainingWaiverOut:
    now = wiring.clock()
    async with _known_operator():
        waiver = await support.waive_training(
            uow=uow,
            operator_id=operator_id,
            staff_id=staff_id,
            track_key=track_key,
            actor=principal.actor,
            reason=body.reason,
            now=now,
        )
    return TrainingWaiverOut(
        operator_id=operator_id,
        staff_id=staff_id,
        track_key=track_key,
        track_version=waiver.track.version,
        modules_waived=list(waiver.modules_waived),
        actor=principal.actor,
        reason=body.reason,
        waived_at=now,
    )
