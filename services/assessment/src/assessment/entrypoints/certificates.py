"""Certificates: my certificate history and printable copies, and the public verification lookup.

The verification and printable routes answer JSON or an HTML page by the `Accept` header
(`certificate_pages.prefers_html`); refusals follow the same rule with the same words.
"""

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from academy_runtime.auth import CurrentPrincipal
from assessment.domain.certificates import (
    Certificate,
    CertificateStatus,
    PublicCertificateView,
    public_view,
)
from assessment.domain.errors import AssessmentError
from assessment.entrypoints.certificate_pages import (
    PrintableCertificate,
    error_page,
    page_response,
    prefers_html,
    printable_page,
    verification_page,
)
from assessment.entrypoints.deps import BEARER, UowDep, Wiring, WiringDep, id_path, identity
from assessment.entrypoints.errors import (
    AUTHENTICATED,
    STATUS_BY_CODE,
    error_response,
    error_responses,
)
from assessment.service import certificates
from assessment.service.certificates import MAX_CODE_CHARS, TrackLabels
from contracts.base import UtcDatetime

router = APIRouter(tags=["certificates"])

CodePath = Annotated[
    str,
    Path(
        # Documented, checked by the domain so a typo (or an overlong paste) gets its friendly
        # explanation, as JSON or as a page.
        json_schema_extra={
            "pattern": r"^[ -]*(?:[0-9A-TV-Za-tv-z][ -]*){12}$",
            "maxLength": MAX_CODE_CHARS,
        },
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
async def my_certificates(
    principal: CurrentPrincipal, wiring: WiringDep, uow: UowDep
) -> CertificateList:
    now = wiring.clock()
    found = await certificates.my_certificates(uow=uow, identity=identity(principal), now=now)
    return CertificateList(certificates=[CertificateOut.of(c, now=now) for c in found])


#: How the negotiated routes describe themselves in OpenAPI.
NEGOTIATION = (
    "Answers JSON to `Accept: application/json`, to `*/*` and to no `Accept` header; an HTML "
    "page (self-contained, no scripts) when the client prefers `text/html`, as a browser does. "
    "Refusals follow the same rule, with the same words as the JSON `detail`."
)
#: Printable copies hold personal data: no shared cache may keep them.
PRIVATE = {"Cache-Control": "private, no-store"}


def _with_pages(
    responses: dict[int | str, dict[str, Any]], *, page: str, refused_as_page: tuple[int, ...]
) -> dict[int | str, dict[str, Any]]:
    """Add `text/html` to the success and to the refusals the domain words (auth stays JSON)."""
    documented: dict[int | str, dict[str, Any]] = {
        **responses,
        200: {"content": {"text/html": {"schema": {"type": "string"}, "example": page}}},
    }
    refusal = {"schema": {"type": "string"}, "example": "<!DOCTYPE html>…<h1>No certificate…"}
    for status in refused_as_page:
        entry = responses[status]
        documented[status] = {**entry, "content": {**entry["content"], "text/html": refusal}}
    return documented


def _refusal(exc: AssessmentError, *, as_html: bool, now: datetime) -> Response:
    """The domain's refusal as a page or as the usual JSON body, same status and words."""
    if as_html:
        status = STATUS_BY_CODE.get(exc.code, 400)
        return page_response(error_page(code=exc.code, detail=exc.message), status_code=status)
    refused = error_response(exc, now=now)
    refused.headers["Vary"] = "Accept"
    return refused


def _verification_url(wiring: Wiring, code: str) -> str:
    return f"{wiring.public_base_url}/v1/certificates/verify/{quote(code, safe='')}"


def _printable(
    cert: Certificate, labels: TrackLabels, *, now: datetime, url: str
) -> PrintableCertificate:
    return PrintableCertificate(
        certificate_id=cert.certificate_id,
        holder_name=cert.staff_name,
        track_key=cert.track_key,
        track_title=labels.track_title,
        jurisdiction=cert.jurisdiction,
        jurisdiction_name=labels.jurisdiction_name,
        regulator=labels.regulator,
        role=cert.role,
        status=cert.status_at(now),
        issued_at=cert.passed_at,
        expires_at=cert.expires_at,
        checked_at=now,
        verification_code=cert.verification_code,
        verification_url=url,
    )


@router.get(
    "/v1/me/certificates/{certificate_id}/printable",
    response_model=PrintableCertificate,
    summary="A printable copy of one of my certificates (A4), with its verification code and URL",
    description="Only the holder's own certificates; any other id is a 404. " + NEGOTIATION,
    dependencies=BEARER,
    responses=_with_pages(
        error_responses(*AUTHENTICATED, 404),
        page="<!DOCTYPE html>…<h1>Certificate of training</h1>…",
        refused_as_page=(404,),
    ),
)
async def printable(
    certificate_id: Annotated[str, id_path("0b6c3a52-8d3e-4a8f-bf1e-6f9d1c2e7a40")],
    principal: CurrentPrincipal,
    request: Request,
    response: Response,
    wiring: WiringDep,
    uow: UowDep,
) -> Any:
    as_html = prefers_html(request.headers.get("accept"))
    now = wiring.clock()
    try:
        cert = await certificates.my_certificate(
            uow=uow,
            identity=identity(principal),
            now=now,
            certificate_id=certificate_id,
        )
        labels = await certificates.track_labels(uow=uow, certificate=cert)
    except AssessmentError as exc:
        return _refusal(exc, as_html=as_html, now=now)
    copy = _printable(cert, labels, now=now, url=_verification_url(wiring, cert.verification_code))
    if as_html:
        return page_response(printable_page(copy), headers=PRIVATE)
    response.headers.update({"Vary": "Accept", **PRIVATE})
    return copy


@router.get(
    "/v1/certificates/verify/{code}",
    response_model=PublicCertificateView,
    summary="Public: is the certificate behind this verification code valid?",
    description="No sign-in needed. Shows validity, the holder's name, jurisdiction and role, "
    "and never email, staff id or other personal data; the page adds the track's title and "
    "the jurisdiction's name and regulator. " + NEGOTIATION,
    responses=_with_pages(
        error_responses(404, 422),
        page="<!DOCTYPE html>…<h1>Certificate verification</h1>…",
        refused_as_page=(404, 422),
    ),
)
async def verify(
    code: CodePath, request: Request, response: Response, wiring: WiringDep, uow: UowDep
) -> Any:
    as_html = prefers_html(request.headers.get("accept"))
    now = wiring.clock()
    try:
        if not as_html:
            response.headers["Vary"] = "Accept"
            return await certificates.verify(uow=uow, code=code, now=now)
        cert = await certificates.by_code(uow=uow, code=code)
        labels = await certificates.track_labels(uow=uow, certificate=cert)
    except AssessmentError as exc:
        return _refusal(exc, as_html=as_html, now=now)
    return page_response(verification_page(public_view(cert, now=now), labels))
