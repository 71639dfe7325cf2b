"""Operator views for its compliance officers and admins: progress, certificates, readiness."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from assessment.adapters import certificate_repo, progress_repo, staff_repo
from assessment.adapters.track_store import TrackStore
from assessment.domain.certificates import Certificate
from assessment.domain.readiness import (
    JurisdictionReadiness,
    StaffTrackSummary,
    assess_readiness,
    expiring_within,
    staff_summaries,
    valid_certificates,
)
from assessment.service.training import operator_jurisdictions


@dataclass(frozen=True)
class ReadinessReport:
    operator_id: str
    jurisdictions: tuple[JurisdictionReadiness, ...]
    names: dict[str, tuple[str, str]]


async def staff_progress(
    session: AsyncSession,
    *,
    operator_id: str,
    jurisdiction: str | None,
    expiring_within_days: int,
    tracks: TrackStore,
    now: datetime,
) -> list[StaffTrackSummary]:
    """One row per staff member and track of the operator's jurisdictions (current versions)."""
    codes = await operator_jurisdictions(session, operator_id)
    if jurisdiction is not None:
        codes = [code for code in codes if code == jurisdiction]
    return staff_summaries(
        staff=await staff_repo.of_operator(session, operator_id),
        tracks=await tracks.current_in(session, codes),
        progress=await progress_repo.of_operator(session, operator_id),
        certificates=await certificate_repo.of_operator(session, operator_id),
        now=now,
        expiring_within_days=expiring_within_days,
    )


async def certificates(
    session: AsyncSession,
    *,
    operator_id: str,
    jurisdiction: str | None,
    valid_only: bool,
    now: datetime,
) -> Sequence[Certificate]:
    found = await certificate_repo.of_operator(session, operator_id, jurisdiction=jurisdiction)
    return valid_certificates(found, now=now) if valid_only else found


async def expiring(
    session: AsyncSession,
    *,
    operator_id: str,
    within_days: int,
    jurisdiction: str | None,
    now: datetime,
) -> list[Certificate]:
    found = await certificate_repo.of_operator(session, operator_id, jurisdiction=jurisdiction)
    return expiring_within(found, now=now, within=timedelta(days=within_days))


async def readiness(
    session: AsyncSession, *, operator_id: str, tracks: TrackStore, now: datetime
) -> ReadinessReport:
    """Per go-live jurisdiction: which release-policy requirements are met and which missing."""
    codes = await operator_jurisdictions(session, operator_id)
    assessed = assess_readiness(
        jurisdictions=codes,
        policies=await tracks.policies(session, codes),
        certificates=await certificate_repo.of_operator(session, operator_id),
        now=now,
    )
    return ReadinessReport(
        operator_id=operator_id,
        jurisdictions=tuple(assessed),
        names=await tracks.jurisdiction_names(session, codes),
    )
