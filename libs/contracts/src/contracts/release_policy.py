"""Whether an operator's certified staff meet a jurisdiction's release policy: the one rule.

The release bridge decides releases with it and the assessment's readiness view explains them
with it, so the two cannot disagree about whether tooling should be released. Pure: each
service passes its own certificate records (`Certified`), whose validity at an instant is the
service's to know (revocation, supersession); the counting is here.

The rule: each role the policy names needs that many distinct staff members holding a valid
certificate of that jurisdiction in that role; a role listed twice needs the sum. One person
certified in two roles counts for both. Per staff member and role the certificate valid
longest counts (ties: earlier pass, then certificate id); staff are then taken in the same
order, as many as the role needs. While met, the policy lapses when the first of the chosen
certificates that each role cannot do without expires.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from contracts.common import ReleasePolicy


class Certified(Protocol):
    """What the rule reads of a certificate record."""

    @property
    def certificate_id(self) -> str: ...

    @property
    def staff_id(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def jurisdiction(self) -> str: ...

    @property
    def passed_at(self) -> datetime: ...

    @property
    def expires_at(self) -> datetime: ...

    def counts_at(self, now: datetime) -> bool:
        """Valid at `now`: passed, not expired, not revoked (nor superseded, where known)."""
        ...


C = TypeVar("C", bound=Certified)


@dataclass(frozen=True, slots=True)
class RoleOutcome(Generic[C]):
    """One role of the policy: how many it needs, and every distinct holder in preference
    order (the first `needed` are the evidence)."""

    role: str
    needed: int
    holders: tuple[C, ...]

    @property
    def chosen(self) -> tuple[C, ...]:
        return self.holders[: self.needed]

    @property
    def held(self) -> int:
        return len(self.chosen)

    @property
    def missing(self) -> int:
        return self.needed - self.held

    @property
    def met(self) -> bool:
        return self.missing == 0


@dataclass(frozen=True, slots=True)
class PolicyOutcome(Generic[C]):
    roles: tuple[RoleOutcome[C], ...]

    @property
    def met(self) -> bool:
        return all(role.met for role in self.roles)

    @property
    def unmet(self) -> tuple[RoleOutcome[C], ...]:
        return tuple(role for role in self.roles if not role.met)

    @property
    def chosen(self) -> tuple[C, ...]:
        """The certificates that satisfy the policy (as far as they go), role by role."""
        return tuple(cert for role in self.roles for cert in role.chosen)

    @property
    def lapses_at(self) -> datetime | None:
        """When the policy stops being met if nothing changes (None when it is not met)."""
        if not self.met:
            return None
        return min(role.chosen[-1].expires_at for role in self.roles)


def required_counts(policy: ReleasePolicy) -> dict[str, int]:
    """Staff needed per role, in policy order; a role listed twice needs the sum."""
    counts: dict[str, int] = {}
    for requirement in policy.requirements:
        counts[requirement.role] = counts.get(requirement.role, 0) + requirement.count
    return counts


def evaluate(
    policy: ReleasePolicy, certificates: Iterable[C], *, now: datetime
) -> PolicyOutcome[C]:
    """The policy against the operator's certificates at `now` (the rule in the module doc)."""
    best: dict[tuple[str, str], C] = {}
    for cert in certificates:
        if cert.jurisdiction != policy.jurisdiction or not cert.counts_at(now):
            continue
        key = (cert.staff_id, cert.role)
        current = best.get(key)
        if current is None or _preference(cert) < _preference(current):
            best[key] = cert
    roles = []
    for role, needed in required_counts(policy).items():
        holders = sorted((cert for cert in best.values() if cert.role == role), key=_preference)
        roles.append(RoleOutcome(role=role, needed=needed, holders=tuple(holders)))
    return PolicyOutcome(roles=tuple(roles))


def _preference(cert: Certified) -> tuple[float, datetime, str, str]:
    return (-cert.expires_at.timestamp(), cert.passed_at, cert.certificate_id, cert.staff_id)
