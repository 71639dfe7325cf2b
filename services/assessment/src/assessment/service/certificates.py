"""Certificates as their holders and the public see them."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters import certificate_repo
from assessment.domain.certificates import Certificate, PublicCertificateView, public_view
from assessment.domain.codes import normalise_verification_code
from assessment.domain.errors import CertificateNotFound, InvalidVerificationCode
from assessment.domain.staff import StaffMember
from assessment.service.ports import EventSink
from assessment.service.staff import provision


async def my_certificates(
    session: AsyncSession, *, identity: StaffMember, events: EventSink, now: datetime
) -> Sequence[Certificate]:
    """Every certificate the holder was ever issued, newest first (history is kept)."""
    holder = await provision(session, identity=identity, events=events, now=now)
    return await certificate_repo.of_holder(session, holder.operator_id, holder.staff_id)


async def verify(session: AsyncSession, *, code: str, now: datetime) -> PublicCertificateView:
    """Validity behind a verification code; shows the holder's name and nothing more personal."""
    if not code.isascii():
        raise InvalidVerificationCode(code)
    canonical = normalise_verification_code(code)
    certificate = await certificate_repo.by_code(session, canonical)
    if certificate is None:
        raise CertificateNotFound(reference=canonical)
    return public_view(certificate, now=now)
