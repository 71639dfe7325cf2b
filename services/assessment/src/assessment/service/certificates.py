"""Certificates as their holders and the public see them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from assessment.domain.certificates import Certificate, PublicCertificateView, public_view
from assessment.domain.codes import normalise_verification_code
from assessment.domain.errors import CertificateNotFound, InvalidVerificationCode
from assessment.domain.staff import StaffMember
from assessment.service.ports import AssessmentUnit
from assessment.service.staff import provision

#: Longer input is refused before it is normalised (a code has 12 characters plus separators).
MAX_CODE_CHARS = 64


@dataclass(frozen=True)
class TrackLabels:
    """What people read instead of codes: the track's title, the jurisdiction and its regulator."""

    track_title: str
    jurisdiction_name: str
    regulator: str | None


async def my_certificates(
    *, uow: AssessmentUnit, identity: StaffMember, now: datetime
) -> Sequence[Certificate]:
    """Every certificate the holder was ever issued, newest first (history is kept)."""
    holder = await provision(uow=uow, identity=identity, now=now)
    return await uow.certificates.of_holder(holder.operator_id, holder.staff_id)


async def my_certificate(
    *,
    uow: AssessmentUnit,
    identity: StaffMember,
    now: datetime,
    certificate_id: str,
) -> Certificate:
    """One of the holder's own certificates; anyone else's is not found."""
    holder = await provision(uow=uow, identity=identity, now=now)
    certificate = await uow.certificates.get(holder.operator_id, certificate_id)
    if certificate is None or certificate.staff_id != holder.staff_id:
        raise CertificateNotFound(reference=certificate_id)
    return certificate


async def by_code(*, uow: AssessmentUnit, code: str) -> Certificate:
    """The certificate behind a verification code as a person typed it."""
    if len(code) > MAX_CODE_CHARS or not code.isascii():
        raise InvalidVerificationCode(code)
    canonical = normalise_verification_code(code)
    certificate = await uow.certificates.by_code(canonical)
    if certificate is None:
        raise CertificateNotFound(reference=canonical)
    return certificate


async def verify(*, uow: AssessmentUnit, code: str, now: datetime) -> PublicCertificateView:
    """Validity behind a verification code; shows the holder's name and nothing more personal."""
    return public_view(await by_code(uow=uow, code=code), now=now)


async def track_labels(*, uow: AssessmentUnit, certificate: Certificate) -> TrackLabels:
    """Titles of the version the certificate was earned on; codes stand in for what is unknown."""
    track = await uow.tracks.version(certificate.track_key, certificate.track_version)
    name = track.jurisdiction_name if track else None
    regulator = track.regulator if track else None
    if name is None or regulator is None:
        code = certificate.jurisdiction
        known_name, known_regulator = (await uow.tracks.jurisdiction_names([code])).get(
            code, (None, None)
        )
        name, regulator = name or known_name, regulator or known_regulator
    return TrackLabels(
        track_title=track.title if track else certificate.track_key,
        jurisdiction_name=name or certificate.jurisdiction,
        regulator=regulator,
    )
