"""Operator views for its compliance officers and admins (support and academy admins: any)."""

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from academy_runtime.auth import (
    OPERATOR_VIEW_ROLES,
    CurrentPrincipal,
    require_operator,
    require_roles,
)
from assessment.domain.certificates import Certificate, CertificateStatus
from assessment.domain.readiness import JurisdictionReadiness as AssessedJurisdiction
from assessment.entrypoints.deps import (
    BEARER,
    JURISDICTION_PATTERN,
    OperatorPath,
    UowDep,
    WiringDep,
)
from assessment.entrypoints.errors import AUTHENTICATED, error_responses
from assessment.service import operator_views
from contracts.base import UtcDatetime

router = APIRouter(
    prefix="/v1/operators/{operator_id}",
    tags=["operator views"],
    dependencies=[*BEARER, require_roles(*OPERATOR_VIEW_ROLES)],
    responses=error_responses(*AUTHENTICATED),
)

JurisdictionQuery = Annotated[
    str | None, Query(pattern=JURISDICTION_PATTERN, description="only this jurisdiction")
]
Days = Annotated[int, Query(ge=0, le=3650, description="horizon in days")]


class StaffTrackRow(BaseModel):
    staff_id: str
    name: str = Field(examples=["Ada Lovelace"])
    jurisdiction: str = Field(examples=["MGA"])
    role: str = Field(examples=["compliance_officer"])
    track_key: str
    track_version: str
    lessons_completed: int
    lessons_total: int
    modules_completed: int
    modules_total: int
    percent: int = Field(ge=0, le=100)
    certificate_id: str | None
    certificate_status: CertificateStatus | None
    expires_at: UtcDatetime | None
    expiring_soon: bool


class StaffProgress(BaseModel):
    operator_id: str
    rows: list[StaffTrackRow]


class HeldCertificate(BaseModel):
    certificate_id: str
    staff_id: str
    staff_name: str
    jurisdiction: str
    role: str
    track_version: str
    status: CertificateStatus
    passed_at: UtcDatetime
    expires_at: UtcDatetime

    @classmethod
    def of(cls, cert: Certificate, *, now: datetime) -> "HeldCertificate":
        return cls(
            certificate_id=cert.certificate_id,
            staff_id=cert.staff_id,
            staff_name=cert.staff_name,
            jurisdiction=cert.jurisdiction,
            role=cert.role,
            track_version=cert.track_version,
            status=cert.status_at(now),
            passed_at=cert.passed_at,
            expires_at=cert.expires_at,
        )


class HeldCertificates(BaseModel):
    operator_id: str
    certificates: list[HeldCertificate]


class Holder(BaseModel):
    certificate_id: str
    staff_id: str
    staff_name: str
    expires_at: UtcDatetime


class Requirement(BaseModel):
    role: str = Field(examples=["compliance_officer"])
    needed: int
    have: int
    missing: int
    met: bool
    holders: list[Holder]


class JurisdictionReadiness(BaseModel):
    jurisdiction: str = Field(examples=["MGA"])
    name: str | None = Field(default=None, examples=["Malta"])
    regulator: str | None = Field(default=None, examples=["Malta Gaming Authority"])
    met: bool = Field(description="the release policy is met: the tooling can be released")
    policy_published: bool
    tooling: list[str] = Field(examples=[["mga-licensing-suite"]])
    requirements: list[Requirement]
    missing: list[str] = Field(
        description="what is still needed, in words",
        examples=[["1 more compliance_officer with a valid MGA certificate"]],
    )


class Readiness(BaseModel):
    operator_id: str
    checked_at: UtcDatetime
    jurisdictions: list[JurisdictionReadiness]


@router.get(
    "/staff",
    response_model=StaffProgress,
    summary="Staff progress per track of the operator's jurisdictions",
)
async def staff_progress(
    operator_id: OperatorPath,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
    jurisdiction: JurisdictionQuery = None,
    expiring_within_days: Days = 60,
) -> StaffProgress:
    require_operator(principal, operator_id)
    rows = await operator_views.staff_progress(
        uow=uow,
        operator_id=operator_id,
        jurisdiction=jurisdiction,
        expiring_within_days=expiring_within_days,
        now=wiring.clock(),
    )
    return StaffProgress(
        operator_id=operator_id, rows=[StaffTrackRow.model_validate(asdict(r)) for r in rows]
    )


@router.get(
    "/certificates",
    response_model=HeldCertificates,
    summary="Who holds valid certificates (or, with status=all, every certificate)",
)
async def held_certificates(
    operator_id: OperatorPath,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
    jurisdiction: JurisdictionQuery = None,
    status: Annotated[Literal["valid", "all"], Query()] = "valid",
) -> HeldCertificates:
    require_operator(principal, operator_id)
    now = wiring.clock()
    found = await operator_views.certificates(
        uow=uow,
        operator_id=operator_id,
        jurisdiction=jurisdiction,
        valid_only=status == "valid",
        now=now,
    )
    return HeldCertificates(
        operator_id=operator_id, certificates=[HeldCertificate.of(c, now=now) for c in found]
    )


@router.get(
    "/certificates/expiring",
    response_model=HeldCertificates,
    summary="Valid certificates expiring within N days, soonest first",
)
async def expiring_certificates(
    operator_id: OperatorPath,
    principal: CurrentPrincipal,
    wiring: WiringDep,
    uow: UowDep,
    within_days: Days = 60,
    jurisdiction: JurisdictionQuery = None,
) -> HeldCertificates:
    require_operator(principal, operator_id)
    now = wiring.clock()
    found = await operator_views.expiring(
        uow=uow,
        operator_id=operator_id,
        within_days=within_days,
        jurisdiction=jurisdiction,
        now=now,
    )
    return HeldCertificates(
        operator_id=operator_id, certificates=[HeldCertificate.of(c, now=now) for c in found]
    )


@router.get(
    "/readiness",
    response_model=Readiness,
    summary="Onboarding readiness per jurisdiction: release-policy requirements met or missing",
)
async def readiness(
    operator_id: OperatorPath, principal: CurrentPrincipal, wiring: WiringDep, uow: UowDep
) -> Readiness:
    require_operator(principal, operator_id)
    now = wiring.clock()
    report = await operator_views.readiness(uow=uow, operator_id=operator_id, now=now)
    return Readiness(
        operator_id=operator_id,
        checked_at=now,
        jurisdictions=[_jurisdiction(j, report.names) for j in report.jurisdictions],
    )


def _jurisdiction(
    item: AssessedJurisdiction, names: dict[str, tuple[str, str]]
) -> JurisdictionReadiness:
    name, regulator = names.get(item.jurisdiction, (None, None))
    missing = (
        [f"no release policy for {item.jurisdiction} has been published yet"]
        if item.policy is None
        else [
            f"{r.missing} more {r.role} with a valid {item.jurisdiction} certificate"
            for r in item.unmet
        ]
    )
    return JurisdictionReadiness(
        jurisdiction=item.jurisdiction,
        name=name,
        regulator=regulator,
        met=item.met,
        policy_published=item.policy is not None,
        tooling=[] if item.policy is None else list(item.policy.tooling),
        requirements=[
            Requirement(
                role=r.role,
                needed=r.needed,
                have=r.have,
                missing=r.missing,
                met=r.met,
                holders=[
                    Holder(
                        certificate_id=c.certificate_id,
                        staff_id=c.staff_id,
                        staff_name=c.staff_name,
                        expires_at=c.expires_at,
                    )
                    for c in r.holders
                ],
            )
            for r in item.requirements
        ],
        missing=missing,
    )
