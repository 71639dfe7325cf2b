"""Whether an operator's certified staff meet a jurisdiction's release policy, and the evidence."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from contracts.common import Evidence, ReleasePolicy, TrainingRecord
from contracts.release_policy import evaluate
from contracts.release_policy import required_counts as required_counts


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

    def counts_at(self, now: datetime) -> bool:
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


def evaluate_policy(
    policy: ReleasePolicy, certificates: Iterable[HeldCertificate], *, now: datetime
) -> PolicyEvaluation:
    """The one release-policy rule (`contracts.release_policy`), with the evidence in the
    webhook's shape. Evidence holds the chosen certificates even when the policy is not met."""
    outcome = evaluate(policy, certificates, now=now)
    return PolicyEvaluation(
        met=outcome.met,
        missing=tuple(
            MissingRequirement(role=role.role, needed=role.needed, held=role.held)
            for role in outcome.unmet
        ),
        evidence=tuple(cert.evidence() for cert in outcome.chosen),
        lapses_at=outcome.lapses_at,
    )
