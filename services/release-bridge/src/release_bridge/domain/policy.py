"""Whether an operator's certified staff meet a jurisdiction's release policy, and the evidence."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from contracts.common import Evidence, ReleasePolicy, TrainingRecord


@dataclass(frozen=True, slots=True)
class HeldCertificate:
    """A certificate held by one of the operator's staff, as the bridge last heard of it.

    `training` is the holder's training when the certificate was issued (None when the issue
    event carried none), passed on unchanged in every piece of evidence built from it.
    """

    certificate_id: str
    staff_id: str
    role: str
    jurisdiction: str
    track_version: str
    passed_at: datetime
    expires_at: datetime
    revoked: bool = False
    # Compared but not hashed: the record holds lists.
    training: TrainingRecord | None = field(default=None, hash=False)

    def valid_at(self, now: datetime) -> bool:
        """Passed by `now`, not yet expired and not revoked."""
        return not self.revoked and self.passed_at <= now < self.expires_at

    def evidence(self) -> Evidence:
        return Evidence(
            certificate_id=self.certificate_id,
            staff_id=self.staff_id,
            role=self.role,
            track_version=self.track_version,
            passed_at=self.passed_at,
            expires_at=self.expires_at,
            training=self.training,
        )


@dataclass(frozen=True, slots=True)
class MissingRequirement:
    role: str
    needed: int
    held: int

    def __str__(self) -> str:
        return f"needs {self.needed} {self.role}, has {self.held}"


@dataclass(frozen=True, slots=True)
class PolicyEvaluation:
    """Outcome of one evaluation; `evidence` holds the chosen certificates even when not met.

    `lapses_at` is when the policy stops being met if nothing changes (None when not met).
    """

    met: bool
    missing: tuple[MissingRequirement, ...]
    evidence: tuple[Evidence, ...]
    lapses_at: datetime | None = None

    def describe_missing(self) -> str:
        return "; ".join(str(item) for item in self.missing)


def required_counts(policy: ReleasePolicy) -> dict[str, int]:
    """Requirements per role in policy order; a role listed twice needs the sum."""
    counts: dict[str, int] = {}
    for requirement in policy.requirements:
        counts[requirement.role] = counts.get(requirement.role, 0) + requirement.count
    return counts


def evaluate_policy(
    policy: ReleasePolicy, certificates: Iterable[HeldCertificate], *, now: datetime
) -> PolicyEvaluation:
    """Each role needs that many distinct staff with a valid certificate in that role.

    Evidence is deterministic: per staff member the certificate valid longest (ties: earlier
    pass, then certificate id), then staff in the same order, taking as many as the role needs.
    One person certified in two roles may count for both.
    """
    best = _best_per_staff(
        cert
        for cert in certificates
        if cert.jurisdiction == policy.jurisdiction and cert.valid_at(now)
    )
    missing: list[MissingRequirement] = []
    evidence: list[Evidence] = []
    lapse_points: list[datetime] = []
    for role, needed in required_counts(policy).items():
        candidates = sorted((c for c in best if c.role == role), key=_preference)
        chosen = candidates[:needed]
        evidence.extend(cert.evidence() for cert in chosen)
        if len(chosen) < needed:
            missing.append(MissingRequirement(role=role, needed=needed, held=len(chosen)))
        else:
            lapse_points.append(chosen[-1].expires_at)
    met = not missing
    return PolicyEvaluation(
        met=met,
        missing=tuple(missing),
        evidence=tuple(evidence),
        lapses_at=min(lapse_points) if met else None,
    )


def _preference(cert: HeldCertificate) -> tuple[float, datetime, str, str]:
    return (-cert.expires_at.timestamp(), cert.passed_at, cert.certificate_id, cert.staff_id)


def _best_per_staff(certificates: Iterable[HeldCertificate]) -> list[HeldCertificate]:
    best: dict[tuple[str, str], HeldCertificate] = {}
    for cert in certificates:
        key = (cert.staff_id, cert.role)
        current = best.get(key)
        if current is None or _preference(cert) < _preference(current):
            best[key] = cert
    return list(best.values())
