"""Operator readiness: which release-policy requirements are met, and staff summaries for views."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from assessment.domain.certificates import Certificate, CertificateStatus, latest_certificate
from assessment.domain.progress import TrackProgress, summarise
from assessment.domain.staff import StaffMember
from assessment.domain.timeutil import require_utc
from contracts.catalogue import TrackPublished
from contracts.common import Evidence, ReleasePolicy
from contracts.release_policy import evaluate


@dataclass(frozen=True)
class RequirementStatus:
    """One role of the policy (a role listed twice is one role needing the sum): every staff
    member validly certified in it, in the order the release rule chooses them."""

    role: str
    needed: int
    holders: tuple[Certificate, ...]

    @property
    def have(self) -> int:
        return len(self.holders)

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.have)

    @property
    def met(self) -> bool:
        return self.missing == 0


@dataclass(frozen=True)
class JurisdictionReadiness:
    """One jurisdiction of an operator; without a published policy it is never met."""

    jurisdiction: str
    policy: ReleasePolicy | None
    requirements: tuple[RequirementStatus, ...]

    @property
    def met(self) -> bool:
        return self.policy is not None and all(r.met for r in self.requirements)

    @property
    def unmet(self) -> tuple[RequirementStatus, ...]:
        return tuple(r for r in self.requirements if not r.met)

    def evidence(self) -> list[Evidence]:
        """The certificates the release bridge would cite, in the release webhook's shape."""
        return [
            Evidence(
                certificate_id=c.certificate_id,
                staff_id=c.staff_id,
                role=c.role,
                track_version=c.track_version,
                passed_at=c.passed_at,
                expires_at=c.expires_at,
            )
            for r in self.requirements
            for c in r.holders[: r.needed]
        ]


@dataclass(frozen=True)
class StaffTrackSummary:
    """One row of the operator's staff view for one track."""

    staff_id: str
    name: str
    jurisdiction: str
    role: str
    track_key: str
    track_version: str
    lessons_completed: int
    lessons_total: int
    modules_completed: int
    modules_total: int
    percent: int
    certificate_id: str | None
    certificate_status: CertificateStatus | None
    expires_at: datetime | None
    expiring_soon: bool


def valid_certificates(certificates: Iterable[Certificate], *, now: datetime) -> list[Certificate]:
    now = require_utc(now)
    return [c for c in certificates if c.is_valid_at(now)]


def expiring_within(
    certificates: Iterable[Certificate], *, now: datetime, within: timedelta
) -> list[Certificate]:
    """Valid certificates whose expiry falls within `within` of `now`, soonest first."""
    now = require_utc(now)
    soon = [c for c in valid_certificates(certificates, now=now) if c.expires_at <= now + within]
    return sorted(soon, key=lambda c: (c.expires_at, c.certificate_id))


def assess_readiness(
    *,
    jurisdictions: Iterable[str],
    policies: Mapping[str, ReleasePolicy],
    certificates: Iterable[Certificate],
    now: datetime,
) -> list[JurisdictionReadiness]:
    """Per jurisdiction, the release rule the bridge decides with (`contracts.release_policy`)
    applied to the operator's certificates: per role, needed against distinct staff validly
    certified (each through the certificate that stays valid longest)."""
    now = require_utc(now)
    certs = list(certificates)
    result: list[JurisdictionReadiness] = []
    for jurisdiction in sorted(set(jurisdictions)):
        policy = policies.get(jurisdiction)
        if policy is None:
            result.append(JurisdictionReadiness(jurisdiction, None, ()))
            continue
        outcome = evaluate(policy, certs, now=now)
        requirements = tuple(
            RequirementStatus(role=role.role, needed=role.needed, holders=role.holders)
            for role in outcome.roles
        )
        result.append(JurisdictionReadiness(jurisdiction, policy, requirements))
    return result


def staff_summaries(
    *,
    staff: Iterable[StaffMember],
    tracks: Iterable[TrackPublished],
    progress: Iterable[TrackProgress],
    certificates: Iterable[Certificate],
    now: datetime,
    expiring_within_days: int,
) -> list[StaffTrackSummary]:
    """Rows for each staff member and each track of their roles (or that they have started).

    `tracks` are the current versions for the operator's jurisdictions.
    """
    now = require_utc(now)
    certs = list(certificates)
    progress_by_key = {(p.staff_id, p.track_key): p for p in progress}
    horizon = now + timedelta(days=expiring_within_days)
    track_list = sorted(tracks, key=lambda t: t.track_key)
    rows: list[StaffTrackSummary] = []
    for member in sorted(staff, key=lambda s: (s.name, s.staff_id)):
        for track in track_list:
            key = (member.staff_id, track.track_key)
            cert = latest_certificate(certs, staff_id=member.staff_id, track_key=track.track_key)
            if track.role not in member.roles and key not in progress_by_key and cert is None:
                continue
            summary = summarise(progress_by_key.get(key, TrackProgress(*key)), track)
            status = None if cert is None else cert.status_at(now)
            rows.append(
                StaffTrackSummary(
                    staff_id=member.staff_id,
                    name=member.name,
                    jurisdiction=track.jurisdiction,
                    role=track.role,
                    track_key=track.track_key,
                    track_version=track.version,
                    lessons_completed=summary.lessons_completed,
                    lessons_total=summary.lessons_total,
                    modules_completed=summary.modules_completed,
                    modules_total=summary.modules_total,
                    percent=summary.percent,
                    certificate_id=None if cert is None else cert.certificate_id,
                    certificate_status=status,
                    expires_at=None if cert is None else cert.expires_at,
                    expiring_soon=cert is not None
                    and status == "valid"
                    and cert.expires_at <= horizon,
                )
            )
    return rows
