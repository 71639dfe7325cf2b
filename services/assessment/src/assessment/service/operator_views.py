"""Operator views for its compliance officers and admins: progress, certificates, readiness."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from assessment.domain.certificates import Certificate
from assessment.domain.readiness import (
    JurisdictionReadiness,
    StaffTrackSummary,
    assess_readiness,
    expiring_within,
    staff_summaries,
    valid_certificates,
)
from assessment.service.ports import AssessmentUnit
from assessment.service.training import operator_jurisdictions


@dataclass(frozen=True)
class ReadinessReport:
    operator_id: str
    jurisdictions: tuple[JurisdictionReadiness, ...]
    names: dict[str, tuple[str, str]]


async def staff_progress(
    *,
    uow: AssessmentUnit,
    operator_id: str,
    jurisdiction: str | None,
    expiring_within_days: int,
    now: datetime,
) -> list[StaffTrackSummary]:
    """One row per staff member and track of the operator's jurisdictions (current versions)."""
    codes = await operator_jurisdictions(uow, operator_id)
    if jurisdiction is not None:
        codes = [code for code in codes if code == jurisdiction]
    return staff_summaries(
        staff=await uow.staff.of_operator(operator_id),
        tracks=await uow.tracks.current_in(codes),
        progress=await uow.progress.of_operator(operator_id),
        certificates=await uow.certificates.of_operator(operator_id),
        now=now,
        expiring_within_days=expiring_within_days,
    )


async def certificates(
    *,
    uow: AssessmentUnit,
    operator_id: str,
    jurisdiction: str | None,
    valid_only: bool,
    now: datetime,
) -> Sequence[Certificate]:
    found = await uow.certificates.of_operator(operator_id, jurisdiction=jurisdiction)
    return valid_certificates(found, now=now) if valid_only else found


async def expiring(
    *,
    uow: AssessmentUnit,
    operator_id: str,
    within_days: int,
    jurisdiction: str | None,
    now: datetime,
) -> list[Certificate]:
    found = await uow.certificates.of_operator(operator_id, jurisdiction=jurisdiction)
    return expiring_within(found, now=now, within=timedelta(days=within_days))


async def readiness(*, uow: AssessmentUnit, operator_id: str, now: datetime) -> ReadinessReport:
    """Per go-live jurisdiction: which release-policy requirements are met and which missing."""
    codes = await operator_jurisdictions(uow, operator_id)
    assessed = assess_readiness(
        jurisdictions=codes,
        policies=await uow.tracks.policies(codes),
        certificates=await uow.certificates.of_operator(operator_id),
        now=now,
    )
    return ReadinessReport(
        operator_id=operator_id,
        jurisdictions=tuple(assessed),
        names=await uow.tracks.jurisdiction_names(codes),
    )
