"""Certificates: my certificate history, and the public verification lookup."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from academy_runtime.auth import CurrentPrincipal
from academy_runtime.db import transaction
from assessment.domain.certificates import Certificate, CertificateStatus, PublicCertificateView
from assessment.entrypoints.deps import BEARER, WiringDep, identity
from assessment.entrypoints.errors import error_responses
from assessment.service import certificates
from contracts.base import UtcDatetime

router = APIRouter(tags=["certificates"])

CodePath = Annotated[
    str,
    Path(
        max_length=64,
        # Documented, checked by the domain so a typo gets its friendly explanation.
        json_schema_extra={"pattern": r"^[ -]*(?:[0-9A-TV-Za-tv-z][ -]*){12}$"},
        description="as printed on the certificate; case, spaces and hyphens do not matter",
        examples=["7K3M-Q9XD-2HPV"],
    ),
]


class CertificateOut(BaseModel):
    certificate_id: str
    jurisdiction: str = Field(examples=["MGA"])
    role: str = Field(examples=["compliance_officer"])
    track_key: str = Field(examples=["MGA.compliance_officer"])
    track_version: str = Field(description="the version the exam was passed on")
    status: CertificateStatus
    passed_at: UtcDatetime
    expires_at: UtcDatetime
    recert_window_opens_at: UtcDatetime
    verification_code: str = Field(examples=["7K3M-Q9XD-2HPV"])
    recertifies: str | None = Field(default=None, description="certificate this one renewed")
    superseded_by: str | None = None
    revoked_at: UtcDatetime | None = None
    revocation_reason: str | None = None

    @classmethod
    def of(cls, cert: Certificate, *, now: datetime) -> "CertificateOut":
        return cls(
            certificate_id=cert.certificate_id,
            jurisdiction=cert.jurisdiction,
            role=cert.role,
            track_key=cert.track_key,
            track_version=cert.track_version,
            status=cert.status_at(now),
            passed_at=cert.passed_at,
            expires_at=cert.expires_at,
            recert_window_opens_at=cert.recert_window_opens_at,
            verification_code=cert.verification_code,
            recertifies=cert.recertifies,
            superseded_by=cert.superseded_by,
            revoked_at=cert.revoked_at,
            revocation_reason=cert.revocation_reason,
        )


class CertificateList(BaseModel):
    certificates: list[CertificateOut]


@router.get(
    "/v1/me/certificates",
    response_model=CertificateList,
    summary="My certificates, newest first, including renewed and revoked ones",
    dependencies=BEARER,
    responses=error_responses(401, 403),
)
async def my_certificates(principal: CurrentPrincipal, wiring: WiringDep) -> CertificateList:
    now = wiring.clock()
    async with transaction(wiring.runtime.sessions) as session:
        found = await certificates.my_certificates(
            session, identity=identity(principal), events=wiring.runtime, now=now
        )
    return CertificateList(certificates=[CertificateOut.of(c, now=now) for c in found])


@router.get(
    "/v1/certificates/verify/{code}",
    response_model=PublicCertificateView,
    summary="Public: is the certificate behind this verification code valid?",
    description="No sign-in needed. Shows validity, the holder's name, jurisdiction and role, "
    "and never email, staff id or other personal data.",
    responses=error_responses(404, 422),
)
async def verify(code: CodePath, wiring: WiringDep) -> PublicCertificateView:
    async with wiring.runtime.sessions() as session:
        return await certificates.verify(session, code=code, now=wiring.clock())
